/** A control API refusal, sent as `{ "error": { "code", "message" } }` with `status`. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
