/**
 * A refused HTTP request to a room (an upload, an owner's integration call, a hook post): the
 * status, the protocol's error code, and `retryAfterMs` when the room said one. Each endpoint
 * family names its own subclass so that callers can tell them apart.
 */
export class RoomHttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfterMs: number | undefined;

  constructor(status: number, code: string, message: string, retryAfterMs?: number) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}
