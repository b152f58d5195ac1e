import { type CloseOrderOutcome, isRetryableCloseErrCode } from './close-order.ts';
import { interpretOrderQuery } from './decode.ts';
import { MalformedResponseError } from './errors.ts';
import { assertExpected, type ExpectedAnswer } from './expect.ts';
import { failureOutcome } from './failure.ts';
import { isRetryableReturnMessage } from './retryable.ts';
import type { OrderQueryOutcome, WireFields } from './types.ts';

const SDK_FIELDS = new Set(['errMsg', 'errmsg', 'err_msg']);

function malformed(message: string): MalformedResponseError {
  return new MalformedResponseError('MALFORMED_RESPONSE', message);
}

/** `couponFee_0` → `coupon_fee_0`, `subMchId` → `sub_mch_id`; snake_case passes unchanged. */
function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function wireValue(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw malformed(`${name} is not an integer`);
    return String(value);
  }
  throw malformed(`${name} is not a string or number`);
}

/**
 * The SDK overwrites WeChat's `err_code` with its own call status `0`, keeping only `err_code_des`. The codes
 * that change the outcome (of a query or of a close) are recovered from the description; anything else stays
 * unknown (and retryable).
 */
function recoverErrCode(description: string | undefined): string {
  if (description === undefined) return 'UNKNOWN';
  if (/不存在|ORDERNOTEXIST/i.test(description)) return 'ORDERNOTEXIST';
  if (/已支付|ORDERPAID/i.test(description)) return 'ORDERPAID';
  if (/已关闭|ORDERCLOSED/i.test(description)) return 'ORDERCLOSED';
  if (/支付中|USERPAYING/i.test(description)) return 'USERPAYING';
  if (/频率|FREQUENCY/i.test(description)) return 'FREQUENCY_LIMITED';
  if (/系统|SYSTEMERROR/i.test(description)) return 'SYSTEMERROR';
  return 'UNKNOWN';
}

/**
 * Reads what a wx-server-sdk CloudPay call resolved with into WeChat's snake_case wire fields. Internal.
 *
 * @example
 * ```ts
 * cloudPayFields({ returnCode: 'SUCCESS', totalFee: 1 }); // { return_code: 'SUCCESS', total_fee: '1' }
 * ```
 * @internal
 */
export function cloudPayFields(result: unknown): Record<string, string> {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    throw malformed('CloudPay result is not an object');
  }
  const source = result as Record<string, unknown>;
  const sdkStatus = source['errMsg'];
  if (sdkStatus !== undefined && (typeof sdkStatus !== 'string' || !sdkStatus.endsWith(':ok'))) {
    throw malformed('CloudPay call did not report ok');
  }
  const fields: Record<string, string> = Object.create(null);
  for (const name of Object.keys(source)) {
    if (SDK_FIELDS.has(name)) continue;
    const wire = snakeCase(name);
    if (!/^[a-z0-9_]+$/.test(wire) || wire === '__proto__' || wire === 'constructor' || wire === 'prototype') {
      throw malformed('CloudPay result has a field name outside [A-Za-z0-9_]');
    }
    const value = wireValue(wire, source[name]);
    if (value === undefined) continue;
    if (wire in fields && fields[wire] !== value) throw malformed(`CloudPay result repeats ${wire}`);
    fields[wire] = value;
  }
  // `errCode` 0 is the SDK's "call succeeded", not WeChat's err_code.
  if (fields['err_code'] === '0') {
    if (fields['result_code'] === 'FAIL') fields['err_code'] = recoverErrCode(fields['err_code_des']);
    else delete fields['err_code'];
  }
  return fields;
}

/**
 * Decodes what wx-server-sdk's `cloud.cloudPay.queryOrder` resolved with into an {@link OrderQueryOutcome}: the
 * camelCase shape the SDK really returns (`returnCode`, `resultCode`, `tradeState`, `totalFee` as a number,
 * `couponFee_0`, `errCode` overwritten with `0` while `errCodeDes` survives, `errMsg: 'cloudPay.queryOrder:ok'`)
 * and the snake_case shape of the docs. Outcomes are those of `decodeOrderQuery`; `fields` are snake_case.
 *
 * **Trust boundary**: there is no signature to check here. The WeChat cloud calls WeChat Pay with the
 * merchant's credentials and verifies the answer server-side; this function trusts the SDK's result as much as
 * the code that runs it trusts its cloud environment. `expect` still binds the answer to the query.
 * Non-objects, non-string/number values, unsafe numbers and a non-ok `errMsg` are `MalformedResponseError`s.
 *
 * @example
 * ```ts
 * const result = await cloud.cloudPay.queryOrder({ sub_mch_id, out_trade_no, nonce_str });
 * const outcome = decodeCloudPayResult(result, { subMchId: sub_mch_id, outTradeNo: out_trade_no });
 * ```
 */
export function decodeCloudPayResult(result: unknown, expect?: ExpectedAnswer): OrderQueryOutcome {
  return interpretOrderQuery(cloudPayFields(result), trustCloud, expect);
}

/** The cloud verified WeChat's signature before the SDK handed the result over. */
function trustCloud(): void {}

/**
 * Decodes what wx-server-sdk's `cloud.cloudPay.closeOrder` resolved with into the same {@link CloseOrderOutcome}
 * as the HTTP client's `closeOrder`: `closed` only for `result_code` SUCCESS about the expected sub-merchant
 * (`MismatchError` otherwise), `error` for a refusal (ORDERPAID and ORDERCLOSED final, SYSTEMERROR and
 * USERPAYING retryable; the codes the SDK overwrote with `0` are recovered from `errCodeDes`). Same trust
 * boundary and `MalformedResponseError`s as {@link decodeCloudPayResult}. Internal: the CloudPay client calls it.
 *
 * @example
 * ```ts
 * const outcome = decodeCloudPayClose(await cloud.cloudPay.closeOrder(params), { subMchId: '1900000109' });
 * ```
 * @internal
 */
export function decodeCloudPayClose(result: unknown, expect: ExpectedAnswer): CloseOrderOutcome {
  const fields: WireFields = Object.freeze(cloudPayFields(result));
  const returnCode = fields['return_code'];
  if (returnCode === 'FAIL') {
    const message = fields['return_msg'] ?? '';
    return failureOutcome('RETURN_FAIL', message, isRetryableReturnMessage(message), fields);
  }
  if (returnCode !== 'SUCCESS') throw malformed('return_code is neither SUCCESS nor FAIL');
  const resultCode = fields['result_code'];
  if (resultCode === 'FAIL') {
    const code = fields['err_code'] || 'RESULT_FAIL';
    return failureOutcome(code, fields['err_code_des'] ?? '', isRetryableCloseErrCode(code), fields);
  }
  if (resultCode !== 'SUCCESS') throw malformed('result_code is neither SUCCESS nor FAIL');
  assertExpected(fields, expect, false);
  return { kind: 'closed', fields };
}
