/**
 * SSH wire encoding (RFC 4251: uint32, string, mpint) for the key files decoded here, and the
 * one output those decoders share: an unencrypted `openssh-key-v1` file, which sshpk and ssh2
 * both read for every key type. Held in memory only; never written to disk.
 */
import { AppError } from '../errors'

/** Reads RFC 4251 values from a buffer; any overrun is a damaged key (KEY_INVALID). */
export class WireReader {
  private offset = 0
  constructor(
    private readonly buf: Buffer,
    private readonly damaged: string,
  ) {}

  private fail(): never {
    throw new AppError('KEY_INVALID', 'truncated key data', { message: this.damaged })
  }

  uint32(): number {
    if (this.offset + 4 > this.buf.length) this.fail()
    const value = this.buf.readUInt32BE(this.offset)
    this.offset += 4
    return value
  }

  bytes(length: number): Buffer {
    if (length < 0 || this.offset + length > this.buf.length) this.fail()
    const value = this.buf.subarray(this.offset, this.offset + length)
    this.offset += length
    return value
  }

  string(): Buffer {
    return this.bytes(this.uint32())
  }

  text(): string {
    return this.string().toString('utf8')
  }

  rest(): Buffer {
    return this.buf.subarray(this.offset)
  }

  get remaining(): number {
    return this.buf.length - this.offset
  }
}

/** RFC 4251 string: uint32 length, then the bytes. */
export function wireString(value: Buffer | string): Buffer {
  const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  return Buffer.concat([length, data])
}

export function wireUint32(value: number): Buffer {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(value >>> 0)
  return out
}

/**
 * The text of an unencrypted OpenSSH private key file holding one key.
 * @param publicBlob the public key in wire form (string type, then its fields)
 * @param keyFields the key's private record in OpenSSH's order (string type, its fields, string comment)
 */
export function plainOpenSshText(publicBlob: Buffer, keyFields: Buffer): string {
  const check = wireUint32(0x5eedc0de)
  let section = Buffer.concat([check, check, keyFields])
  // Padded to the "none" cipher's block size (8) with 1, 2, 3..., as ssh-keygen writes it.
  const pad = (8 - (section.length % 8)) % 8
  section = Buffer.concat([section, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))])
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    wireString('none'),
    wireString('none'),
    wireString(Buffer.alloc(0)),
    wireUint32(1),
    wireString(publicBlob),
    wireString(section),
  ])
  const lines = body.toString('base64').match(/.{1,70}/g) ?? []
  return ['-----BEGIN OPENSSH PRIVATE KEY-----', ...lines, '-----END OPENSSH PRIVATE KEY-----', ''].join('\n')
}
