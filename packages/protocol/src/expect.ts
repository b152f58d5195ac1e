import { InvalidArgumentError, MismatchError } from './errors.ts';
import type { WireFields } from './types.ts';

/**
 * What an answer or notification must be about: the merchant, order and amount the request named. A field left
 * `undefined` is not checked.
 *
 * `totalFee` is integer fen; `feeType` defaults to `'CNY'` when `totalFee` is given (WeChat omits `fee_type` for
 * CNY, so an answer without one counts as CNY).
 *
 * @example
 * ```ts
 * const expect: ExpectedAnswer = { appId: 'wxd930ea5d5a258f4f', mchId: '10000100', outTradeNo: '1415757673', totalFee: 10_000 };
 * ```
 */
export interface ExpectedAnswer {
  readonly appId?: string | undefined;
  readonly mchId?: string | undefined;
  /** Service-provider mode: the sub-merchant's `sub_appid`. */
  readonly subAppId?: string | undefined;
  /** Service-provider mode: the sub-merchant's `sub_mch_id`. */
  readonly subMchId?: string | undefined;
  readonly outTradeNo?: string | undefined;
  readonly transactionId?: string | undefined;
  /** The order's amount in integer fen (1/100 CNY): a payment of any other amount is refused. */
  readonly totalFee?: number | undefined;
  /** The order's currency, ISO 4217. Default `'CNY'` when `totalFee` is given. */
  readonly feeType?: string | undefined;
}

const BINDINGS = [
  ['appId', 'appid'],
  ['mchId', 'mch_id'],
  ['subAppId', 'sub_appid'],
  ['subMchId', 'sub_mch_id'],
  ['outTradeNo', 'out_trade_no'],
  ['transactionId', 'transaction_id'],
] as const;

/** Trade states that say money moved: an answer claiming one must carry the amount it moved. */
const PAID_STATES: ReadonlySet<string> = new Set(['SUCCESS', 'REFUND']);

/** The merchant ids a payment notification always carries (`sub_mch_id` in service-provider mode). */
const NOTIFIED_MERCHANT: ReadonlySet<string> = new Set(['appId', 'mchId', 'subMchId']);

function checkAmountOption(expect: ExpectedAnswer): void {
  const { totalFee, feeType } = expect;
  // A fractional or NaN amount would match no answer at all: every payment would be refused as a mismatch.
  if (totalFee !== undefined && !(Number.isSafeInteger(totalFee) && totalFee >= 0)) {
    throw new InvalidArgumentError('expect.totalFee must be a non-negative integer number of fen');
  }
  if (feeType !== undefined && !(typeof feeType === 'string' && /^[A-Z]{3}$/.test(feeType))) {
    throw new InvalidArgumentError('expect.feeType must be an ISO 4217 code such as CNY');
  }
}

function assertAmount(fields: WireFields, expect: ExpectedAnswer, requireAmount: boolean): void {
  const totalFee = expect.totalFee;
  if (totalFee === undefined) {
    if (expect.feeType !== undefined) assertCurrency(fields, expect.feeType);
    return;
  }
  const got = fields['total_fee'];
  if (got === undefined || got === '') {
    if (requireAmount) throw new MismatchError('total_fee');
  } else if (got !== String(totalFee)) {
    throw new MismatchError('total_fee');
  }
  assertCurrency(fields, expect.feeType ?? 'CNY');
}

function assertCurrency(fields: WireFields, wanted: string): void {
  const got = fields['fee_type'];
  if ((got === undefined || got === '' ? 'CNY' : got) !== wanted) throw new MismatchError('fee_type');
}

/**
 * Throws {@link MismatchError} when an answer names another merchant, order or amount than `expect`. A field the
 * answer carries must equal the expected value; a field it omits is no evidence either way (a NOTPAY answer has
 * no `transaction_id` nor `total_fee`) — except that an answer carrying a trade state (`requireOrder`) must name
 * the order asked for by `out_trade_no` when that is how it was asked, and one that says the order was paid
 * (`trade_state` SUCCESS or REFUND, or a payment notification: `requireOrder` `'payment'`) must carry the
 * expected amount. A payment notification must also name the expected `appid`, `mch_id` and `sub_mch_id`
 * (WeChat always sends them): it answers no request of ours, so an absent merchant is no merchant at all.
 * `sub_appid` stays optional there (WeChat sends it only when the order was placed with one). A `totalFee` that
 * is not a non-negative integer, or a `feeType` that is not three capital letters, is an `InvalidArgumentError`.
 *
 * @example
 * ```ts
 * assertExpected(fields, { mchId: '10000100', outTradeNo: 'A1', totalFee: 100 }, true);
 * ```
 */
export function assertExpected(
  fields: WireFields,
  expect: ExpectedAnswer | undefined,
  requireOrder: boolean | 'payment',
): void {
  if (expect === undefined) return;
  for (const [option, field] of BINDINGS) {
    const wanted = expect[option];
    if (wanted === undefined) continue;
    const got = fields[field];
    if (got === undefined || got === '') {
      // An answer to our own request names the order it is about; a notification, which answers no request,
      // must also name the merchant (an empty value is unsigned: anyone can add one).
      if (requireOrder !== false && option === 'outTradeNo') throw new MismatchError(field);
      if (requireOrder === 'payment' && NOTIFIED_MERCHANT.has(option)) throw new MismatchError(field);
      continue;
    }
    if (got !== wanted) throw new MismatchError(field);
  }
  if (expect.totalFee !== undefined || expect.feeType !== undefined) checkAmountOption(expect);
  const tradeState = fields['trade_state'];
  const paid =
    requireOrder === 'payment' || (requireOrder === true && tradeState !== undefined && PAID_STATES.has(tradeState));
  assertAmount(fields, expect, paid);
}

/**
 * Merges a caller's expectation (amount, order) with the merchant a client is bound to: the client's own ids win,
 * so a caller can narrow what is believed but never widen it to another merchant.
 *
 * @example
 * ```ts
 * bindExpected({ appId, mchId }, { totalFee: 100 }, { outTradeNo: 'A1' });
 * ```
 * @internal
 */
export function bindExpected(
  merchant: Pick<ExpectedAnswer, 'appId' | 'mchId' | 'subAppId' | 'subMchId'>,
  caller: ExpectedAnswer | undefined,
  order: Pick<ExpectedAnswer, 'outTradeNo' | 'transactionId'>,
): ExpectedAnswer {
  if (caller === undefined) return { ...merchant, ...order };
  // Before any request: a bad amount is the caller's mistake, whatever WeChat answers.
  if (caller.totalFee !== undefined || caller.feeType !== undefined) checkAmountOption(caller);
  // Only the ids the client has: a caller's subMchId narrows a client that has none, and spreading `merchant`
  // would replace it with `undefined`.
  return {
    ...caller,
    appId: merchant.appId ?? caller.appId,
    mchId: merchant.mchId ?? caller.mchId,
    subAppId: merchant.subAppId ?? caller.subAppId,
    subMchId: merchant.subMchId ?? caller.subMchId,
    outTradeNo: order.outTradeNo ?? caller.outTradeNo,
    transactionId: order.transactionId ?? caller.transactionId,
  };
}
