import type { DecodeOrderQueryOptions } from './decode.ts';
import { MalformedResponseError } from './errors.ts';
import { assertExpected } from './expect.ts';
import { failureOutcome } from './failure.ts';
import { isRetryableReturnMessage } from './retryable.ts';
import { rejectNonXml } from './sniff.ts';
import type { ErrorOutcome, WireFields } from './types.ts';
import { assertSignedOf } from './verify.ts';
import { parseXmlListing } from './xml.ts';

/**
 * A `result_code` SUCCESS answer whose sign verified and which names the expected merchant.
 *
 * @example
 * ```ts
 * const ok: VerifiedAnswer = { kind: 'verified', fields: Object.freeze({ result_code: 'SUCCESS' }) };
 * ```
 * @internal
 */
export interface VerifiedAnswer {
  readonly kind: 'verified';
  readonly fields: WireFields;
}

function malformed(message: string): MalformedResponseError {
  return new MalformedResponseError('MALFORMED_RESPONSE', message);
}

/**
 * Reads a signed WeChat Pay v2 answer other than orderquery's: `return_code` FAIL and `result_code` FAIL become an
 * {@link ErrorOutcome} (`retryable` decided by the caller's rule for `result_code` FAIL), `result_code` SUCCESS is
 * verified with `assertSigned` and bound with `assertExpected` before it is returned. Throws what
 * `decodeOrderQuery` throws for bodies that cannot be read or trusted.
 *
 * @example
 * ```ts
 * const answer = decodePayAnswer(body, { key, signType: 'MD5' }, (code) => code === 'SYSTEMERROR');
 * if (answer.kind === 'verified') console.log(answer.fields['result_code']);
 * ```
 * @internal
 */
export function decodePayAnswer(
  body: string | Uint8Array,
  options: DecodeOrderQueryOptions,
  isRetryable: (code: string, fields: WireFields) => boolean,
): VerifiedAnswer | ErrorOutcome {
  rejectNonXml(body);
  const listing = parseXmlListing(body, options.maxBytes);
  const fields: WireFields = Object.freeze(listing.fields);
  const returnCode = fields['return_code'];
  if (returnCode === 'FAIL') {
    const message = fields['return_msg'] ?? '';
    return failureOutcome('RETURN_FAIL', message, isRetryableReturnMessage(message), fields);
  }
  if (returnCode !== 'SUCCESS') throw malformed('return_code is neither SUCCESS nor FAIL');
  const resultCode = fields['result_code'];
  if (resultCode === 'FAIL') {
    // Like orderquery's failures these may be unsigned: they only ever say "not done", never change a state.
    const code = fields['err_code'] || 'RESULT_FAIL';
    return failureOutcome(code, fields['err_code_des'] ?? '', isRetryable(code, fields), fields);
  }
  if (resultCode !== 'SUCCESS') throw malformed('result_code is neither SUCCESS nor FAIL');
  assertSignedOf(fields, listing.names, options.key, options.signType);
  assertExpected(fields, options.expect, false);
  return { kind: 'verified', fields };
}
