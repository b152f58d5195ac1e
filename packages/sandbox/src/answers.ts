import { randomUUID } from 'node:crypto';
import type { SignType } from '@tradestate/protocol';
import { buildXml, sign } from '@tradestate/protocol/codec';
import type { WireDraft } from './order-fields.ts';

/** What the pay API answers: the XML body and what it said, for the counters. */
export interface PayAnswer {
  readonly body: string;
  /** A trade state, `CLOSED`/`REVOKED`, or an error code. */
  readonly label: string;
}

/** A fresh `nonce_str`: 32 hex characters, as WeChat sends. */
export function nonce(): string {
  return randomUUID().replaceAll('-', '');
}

/** The credentials an answer is signed with: the requesting merchant's key and the request's algorithm. */
export interface Signer {
  readonly key: string;
  readonly signType: SignType;
}

/**
 * A signed answer: `return_code` SUCCESS, the given fields, a nonce and the sign. With `corrupt`, the sign is
 * altered after computing it (the badSignature fault): still 32/64 hex digits, but wrong.
 */
export function signedAnswer(fields: WireDraft, signer: Signer, label: string, corrupt = false): PayAnswer {
  const draft: WireDraft = { return_code: 'SUCCESS', return_msg: 'OK', ...fields, nonce_str: nonce() };
  let signature = sign(draft, signer.key, signer.signType);
  if (corrupt) signature = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
  draft['sign'] = signature;
  return { body: buildXml(draft), label };
}

/** `result_code` FAIL with an `err_code`, signed: WeChat knows the merchant and says what went wrong. */
export function resultFail(
  base: WireDraft,
  signer: Signer,
  errCode: string,
  description: string,
  corrupt = false,
): PayAnswer {
  return signedAnswer(
    { ...base, result_code: 'FAIL', err_code: errCode, err_code_des: description },
    signer,
    errCode,
    corrupt,
  );
}

/** `return_code` FAIL, unsigned, as WeChat answers a request it cannot attribute or authenticate. */
export function returnFail(message: string, label: string): PayAnswer {
  return { body: buildXml({ return_code: 'FAIL', return_msg: message }), label };
}
