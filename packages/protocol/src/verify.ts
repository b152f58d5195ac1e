import { SignatureError } from './errors.ts';
import { verifySignatureOf } from './sign.ts';
import type { SignType, WireFields } from './types.ts';

/**
 * Throws unless `fields` carry a `sign` that verifies over every other field with the merchant key:
 * {@link SignatureError} `SIGNATURE_MISSING` when there is none, `SIGNATURE_INVALID` when it does not verify.
 * Neither message includes the key, the signed string or the received sign. Used by the orderquery and
 * notification decoders; exported for callers that decode other signed WeChat Pay v2 answers.
 *
 * @example
 * ```ts
 * const fields = parseXml(body);
 * assertSigned(fields, key, 'MD5'); // throws SignatureError when forged
 * ```
 */
export function assertSigned(fields: WireFields, key: string, signType: SignType): void {
  const names: string[] = [];
  for (const name in fields) names.push(name);
  assertSignedOf(fields, names, key, signType);
}

/**
 * {@link assertSigned} over `names`, the distinct own names of `fields` in any order (as the XML scanner lists
 * them), which spares enumerating the record again.
 *
 * @example
 * ```ts
 * const { fields, names } = parseXmlListing(body, undefined);
 * assertSignedOf(fields, names, key, 'MD5');
 * ```
 * @internal
 */
export function assertSignedOf(fields: WireFields, names: readonly string[], key: string, signType: SignType): void {
  const received = fields['sign'];
  if (received === undefined || received === '') {
    throw new SignatureError('SIGNATURE_MISSING', 'answer carries no sign');
  }
  if (!verifySignatureOf(fields, names, key, signType)) {
    throw new SignatureError('SIGNATURE_INVALID', `answer sign does not verify with the merchant key (${signType})`);
  }
}
