import { FUZZ_KEY, type FuzzSignType, independentSign } from './oracle.ts';

/** What a notify route expects a notification to be about (the fuzzer's own copy of `ExpectedAnswer`). */
export interface NotificationExpectation {
  readonly appId?: string;
  readonly mchId?: string;
  readonly subAppId?: string;
  readonly subMchId?: string;
  readonly outTradeNo?: string;
  readonly transactionId?: string;
  readonly totalFee?: number;
  readonly feeType?: string;
}

/** `SUCCESS`, or the `TradestateError` code the body must be refused with. */
export type NotificationVerdict =
  | 'SUCCESS'
  | 'NOT_A_PAYMENT'
  | 'MALFORMED_RESPONSE'
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_INVALID'
  | 'MISMATCH';

const present = (fields: Readonly<Record<string, string>>, name: string): boolean =>
  fields[name] !== undefined && fields[name] !== '';

function bindingHolds(fields: Readonly<Record<string, string>>, expect: NotificationExpectation): boolean {
  // A notification answers no request: the merchant it expects must be named, the order and amount must match.
  const named: ReadonlyArray<readonly [string | undefined, string, boolean]> = [
    [expect.appId, 'appid', true],
    [expect.mchId, 'mch_id', true],
    [expect.subMchId, 'sub_mch_id', true],
    [expect.subAppId, 'sub_appid', false],
    [expect.outTradeNo, 'out_trade_no', true],
    [expect.transactionId, 'transaction_id', true],
  ];
  for (const [wanted, name, required] of named) {
    if (wanted === undefined) continue;
    if (!present(fields, name)) {
      if (required) return false;
      continue;
    }
    if (fields[name] !== wanted) return false;
  }
  if (expect.totalFee !== undefined && fields['total_fee'] !== String(expect.totalFee)) return false;
  if (expect.totalFee !== undefined || expect.feeType !== undefined) {
    const currency = present(fields, 'fee_type') ? fields['fee_type'] : 'CNY';
    if (currency !== (expect.feeType ?? 'CNY')) return false;
  }
  return true;
}

/**
 * The verdict DESIGN.md's "Notifications" section gives a body of well-formed fields, written again from the
 * documentation (no library code): a payment result is `return_code` and `result_code` SUCCESS, a sign that the
 * independent signer reproduces with the merchant key and the configured algorithm, `transaction_id`,
 * `out_trade_no`, `total_fee` and `time_end` present, no `trade_state` other than SUCCESS, no refund field, no
 * `sign_type` other than the configured one, and about the expected merchant, order and amount. The refusal
 * codes follow the decoder's documented order: what WeChat leaves unsigned (return_code, refunds) first, then
 * the sign, then what only a genuine body can say (result_code, trade_state, payment fields), then the binding.
 */
export function notificationVerdict(
  fields: Readonly<Record<string, string>>,
  signType: FuzzSignType,
  expect: NotificationExpectation | undefined,
): NotificationVerdict {
  const returnCode = fields['return_code'];
  if (returnCode === 'FAIL') return 'NOT_A_PAYMENT';
  if (returnCode !== 'SUCCESS') return 'MALFORMED_RESPONSE';
  if (Object.keys(fields).some((name) => name === 'req_info' || name.includes('refund'))) return 'NOT_A_PAYMENT';
  if (present(fields, 'sign_type') && fields['sign_type'] !== signType) return 'SIGNATURE_INVALID';
  if (!present(fields, 'sign')) return 'SIGNATURE_MISSING';
  if (fields['sign'] !== independentSign(fields, FUZZ_KEY, signType)) return 'SIGNATURE_INVALID';
  const resultCode = fields['result_code'];
  if (resultCode === 'FAIL') return 'NOT_A_PAYMENT';
  if (resultCode !== 'SUCCESS') return 'MALFORMED_RESPONSE';
  if (fields['trade_state'] !== undefined && fields['trade_state'] !== 'SUCCESS') return 'NOT_A_PAYMENT';
  for (const name of ['transaction_id', 'out_trade_no', 'total_fee', 'time_end']) {
    if (!present(fields, name)) return 'NOT_A_PAYMENT';
  }
  if (expect !== undefined && !bindingHolds(fields, expect)) return 'MISMATCH';
  return 'SUCCESS';
}
