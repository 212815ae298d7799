/**
 * Passwords inside the settings' addresses (a proxy login, a team ledger's database user) are
 * kept out of settings.json where the host can seal them: the desktop app with Electron's
 * safeStorage (the OS keychain, DPAPI or libsecret; issue 23, item 6). The file then holds the
 * addresses without their passwords and, apart, the sealed passwords. Where nothing can seal
 * (the web host, or a Linux desktop without a keyring), the file keeps them as before: owner-only.
 */
import type { Settings } from '../src/api'
import { withoutPassword } from '../src/ledger/ledger-location'

/** Seals and opens short secrets; Electron's safeStorage behind it in the desktop app. */
export interface SecretSealer {
  seal(plain: string): string
  open(sealed: string): string
}

/** The settings fields that are addresses which may carry a password. */
const ADDRESSES = ['proxyUrl', 'teamLedger'] as const
type AddressField = (typeof ADDRESSES)[number]

/** What settings.json holds for them: each address with its password, sealed, by field. */
export type SealedPasswords = Partial<Record<AddressField, string>>

function hasPassword(address: string): boolean {
  try {
    return new URL(address).password !== ''
  } catch {
    return false
  }
}

/** The settings as written to the file: passwords taken out of the addresses and sealed. */
export function sealSettings(settings: Settings, sealer: SecretSealer | null): Settings & { sealed?: SealedPasswords } {
  if (!sealer) return settings
  const out: Settings & { sealed?: SealedPasswords } = { ...settings }
  const sealed: SealedPasswords = {}
  for (const field of ADDRESSES) {
    if (!hasPassword(settings[field])) continue
    // The whole address is sealed, so it comes back exactly as the user wrote it.
    sealed[field] = sealer.seal(settings[field])
    out[field] = withoutPassword(settings[field])
  }
  return Object.keys(sealed).length > 0 ? { ...out, sealed } : out
}

/**
 * The settings as read from the file, passwords opened back into their addresses. Without a
 * sealer, or when one cannot be opened (another computer's, a changed keyring), the address
 * stays without its password and `lost` names the fields: the proxy or database then asks for
 * the password in its own way (BULK_UPLOAD_PROXY_PASSWORD, ~/.pgpass) or refuses the login.
 */
export function openSettings(saved: Record<string, unknown>, sealer: SecretSealer | null): { settings: Record<string, unknown>; lost: AddressField[] } {
  const { sealed, ...rest } = saved as { sealed?: unknown } & Record<string, unknown>
  const lost: AddressField[] = []
  if (typeof sealed !== 'object' || sealed === null) return { settings: rest, lost }
  for (const field of ADDRESSES) {
    const box = (sealed as Record<string, unknown>)[field]
    const address = rest[field]
    if (typeof box !== 'string' || typeof address !== 'string') continue
    try {
      if (!sealer) throw new Error('nothing here can open it')
      rest[field] = sealer.open(box)
    } catch {
      lost.push(field)
    }
  }
  return { settings: rest, lost }
}
