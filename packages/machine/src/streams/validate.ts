import { InvalidArgumentError, type OrderQuery } from '@tradestate/protocol';
import type { MerchantIds, WatchExpectation } from '../definition/types.ts';

/**
 * Checks of what a caller passes to `watchOrder`, `watchOrders`, `resumeWatches` and `createLimiter`, made at the
 * call: a bad option is an {@link InvalidArgumentError} naming the option there, never a watch that hangs, spins
 * or stops limiting later. Messages name the option and the kind of value, and quote only numbers (an option
 * never holds a secret, but a string is not echoed on principle).
 */

/** How a bad value is shown in a message: numbers as they are, anything else by its kind. */
function shown(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value instanceof Date) return 'an invalid Date';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Throws the {@link InvalidArgumentError} of a bad option: where, what was expected, and the kind of value given.
 *
 * @example
 * ```ts
 * if (typeof followRefunds !== 'boolean') fail('watchOrder', 'followRefunds must be a boolean', followRefunds);
 * ```
 * @internal
 */
export function fail(where: string, what: string, value: unknown): never {
  throw new InvalidArgumentError(`${where}: ${what} (got ${shown(value)})`);
}

/**
 * A number of milliseconds: finite and not negative.
 *
 * @example
 * ```ts
 * assertMilliseconds(30_000, 'watchOrder', 'notFoundGraceMs');
 * ```
 * @internal
 */
export function assertMilliseconds(value: unknown, where: string, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail(where, `${name} must be a finite number of milliseconds, 0 or more`, value);
  }
}

/**
 * A deadline: milliseconds after the start (finite, not negative) or a valid `Date`.
 *
 * @example
 * ```ts
 * assertDeadline(new Date(Date.now() + 60_000), 'watchOrder');
 * ```
 * @internal
 */
export function assertDeadline(deadline: unknown, where: string): asserts deadline is number | Date {
  if (deadline instanceof Date) {
    if (!Number.isFinite(deadline.getTime())) fail(where, 'deadline must be a valid Date', deadline);
    return;
  }
  if (typeof deadline !== 'number' || !Number.isFinite(deadline) || deadline < 0) {
    fail(where, 'deadline must be milliseconds after the start (finite, 0 or more) or a valid Date', deadline);
  }
}

/**
 * An expectation: `totalFee` a positive integer of fen, `feeType` a three-letter ISO 4217 code when given.
 *
 * @example
 * ```ts
 * assertExpectation({ totalFee: 100, feeType: 'CNY' }, 'watchOrder');
 * ```
 * @internal
 */
export function assertExpectation(expect: unknown, where: string): asserts expect is WatchExpectation | undefined {
  if (expect === undefined) return;
  if (typeof expect !== 'object' || expect === null) fail(where, 'expect must be { totalFee, feeType? }', expect);
  const { totalFee, feeType } = expect as { totalFee?: unknown; feeType?: unknown };
  if (typeof totalFee !== 'number' || !Number.isSafeInteger(totalFee) || totalFee < 1) {
    fail(where, 'expect.totalFee must be a positive integer of fen', totalFee);
  }
  if (feeType !== undefined && (typeof feeType !== 'string' || !/^[A-Z]{3}$/.test(feeType))) {
    fail(where, 'expect.feeType must be a three-letter currency code such as CNY', feeType);
  }
}

/**
 * A merchant: `appId`, `mchId`, `subAppId`, `subMchId`, each a non-empty string when given, at least one given.
 *
 * @example
 * ```ts
 * assertMerchant({ appId: 'wxd930ea5d5a258f4f', mchId: '10000100' }, 'watchOrder');
 * ```
 * @internal
 */
export function assertMerchant(merchant: unknown, where: string): asserts merchant is MerchantIds | undefined {
  if (merchant === undefined) return;
  if (typeof merchant !== 'object' || merchant === null)
    fail(where, 'merchant must be { appId?, mchId?, subAppId?, subMchId? }', merchant);
  const ids = merchant as Record<string, unknown>;
  let given = 0;
  for (const name of ['appId', 'mchId', 'subAppId', 'subMchId']) {
    const id = ids[name];
    if (id === undefined) continue;
    if (typeof id !== 'string' || id === '') fail(where, `merchant.${name} must be a non-empty string`, id);
    given++;
  }
  if (given === 0) fail(where, 'merchant must name at least one of appId, mchId, subAppId, subMchId', merchant);
}

/**
 * An order query: exactly one of `outTradeNo` and `transactionId`, a non-empty string.
 *
 * @example
 * ```ts
 * assertQuery({ outTradeNo: 'A1' }, 'watchOrder');
 * ```
 * @internal
 */
export function assertQuery(query: unknown, where: string): asserts query is OrderQuery {
  if (typeof query !== 'object' || query === null)
    fail(where, 'query must be { outTradeNo } or { transactionId }', query);
  const { outTradeNo, transactionId } = query as { outTradeNo?: unknown; transactionId?: unknown };
  const given = [outTradeNo, transactionId].filter((id) => id !== undefined);
  if (given.length !== 1 || typeof given[0] !== 'string' || given[0] === '') {
    fail(where, 'query must name exactly one of outTradeNo and transactionId, as a non-empty string', query);
  }
}

/**
 * A function, where one is required.
 *
 * @example
 * ```ts
 * assertFunction(schedule, 'watchOrder', 'schedule');
 * ```
 * @internal
 */
export function assertFunction(value: unknown, where: string, name: string): void {
  if (typeof value !== 'function') fail(where, `${name} must be a function`, value);
}

/**
 * An object with the named methods (a client, a limiter, a store, a scheduler, a signal), when given.
 *
 * @example
 * ```ts
 * assertMethods(client, 'watchOrder', 'client', ['queryOrder']);
 * ```
 * @internal
 */
export function assertMethods(
  value: unknown,
  where: string,
  name: string,
  methods: readonly string[],
  optional = false,
): void {
  if (value === undefined && optional) return;
  const target = value as Record<string, unknown> | null;
  if (typeof value !== 'object' || target === null || methods.some((m) => typeof target[m] !== 'function')) {
    fail(where, `${name} must be an object with ${methods.join(', ')}`, value);
  }
}
