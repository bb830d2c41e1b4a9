/** A TLS handshake, and a request's headers, must be complete within this long. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
export const HEADERS_TIMEOUT_MS = 10_000;
/** The whole request must arrive within this long (a streamed upload keeps its own limits instead). */
export const REQUEST_TIMEOUT_MS = 30_000;
/** A keep-alive connection idle this long after a response is closed. */
export const KEEP_ALIVE_TIMEOUT_MS = 10_000;

/**
 * The HTTPS settings every server of the unit shares (the runtime's API and recovery mode's):
 * TLS 1.3 only with the unit's own key; client certificates are requested but checked by the
 * auth hook against the operator list (pinned keys), not against a CA; slow or silent peers
 * (slowloris, half-open handshakes) are cut, the checks running every second. The whole-request
 * deadline is off here: `limitRequestTime` keeps it for every route but a streamed upload.
 */
export function unitServerOptions(tls: { keyPem: string; certPem: string }) {
  return {
    https: {
      key: tls.keyPem,
      cert: tls.certPem,
      minVersion: 'TLSv1.3' as const,
      maxVersion: 'TLSv1.3' as const,
      requestCert: true,
      rejectUnauthorized: false,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      headersTimeout: HEADERS_TIMEOUT_MS,
      connectionsCheckingInterval: 1000,
    },
    requestTimeout: 0,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    logger: false as const,
  };
}
