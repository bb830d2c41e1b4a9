/** A request the hub refuses: the HTTP status, a stable code and one sentence for a person. */
export class HubRefusal extends Error {
  override readonly name = 'HubRefusal';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 429,
    readonly code: string,
    message: string,
    /** For 429: when to ask again (the Retry-After header). */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}
