/**
 * The Content-Security-Policy of the renderer, for both hosts: only the app's own files run,
 * nothing is fetched from the network, no frames, no plugins, no forms posting elsewhere.
 * Styles allow 'unsafe-inline' because MUI (emotion) injects <style> elements at run time;
 * scripts do not.
 */
export function contentSecurityPolicy(connectSrc: string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    // Recordings play from blob: URLs (web host: fetched with the session secret) or the
    // bulk-media: protocol (Electron), both serving only the checked batch's files.
    "media-src 'self' blob: bulk-media:",
    `connect-src 'self'${connectSrc.map((c) => ` ${c}`).join('')}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ')
}
