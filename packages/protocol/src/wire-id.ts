import { InvalidArgumentError } from './errors.ts';

/** The ids WeChat assigns (appid, mch_id, serial numbers, key ids): what a client may put in a request. */
const WIRE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Refuses, before any request, an id option that WeChat would not accept (and that could not be bound against an
 * answer). Shared by every client's option checks.
 *
 * @example
 * ```ts
 * checkWireId('mchId', options.mchId, false);
 * ```
 * @internal
 */
export function checkWireId(name: string, value: unknown, optional: boolean): void {
  if (optional && value === undefined) return;
  if (typeof value !== 'string' || !WIRE_ID.test(value)) {
    throw new InvalidArgumentError(`${name} must be 1 to 64 characters of [A-Za-z0-9_-]`);
  }
}
