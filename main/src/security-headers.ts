/** Our own files only; `connectSrc` is the one thing the two modes differ in. */
function csp(connectSrc: string): string {
  return [
    "default-src 'self'",
    `connect-src ${connectSrc}`,
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Content-Security-Policy of the browser-mode host: only our own files, only our own socket. */
export function browserCsp(port: number): string {
  return csp(`'self' ws://127.0.0.1:${port} ws://localhost:${port}`);
}

/** Content-Security-Policy of the Electron window: no network at all, IPC only. */
export const ELECTRON_CSP = csp("'none'");

export const COMMON_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};
