import { createHash, createHmac } from 'node:crypto';
import type { BenchSignType } from '../fixtures.ts';

// The floor: what decoding costs with nothing but one regular-expression scan and one digest. No validation,
// no normalisation, no typed errors: it only shows how much of a decoder's time is irreducible.
const LEAF = /<([A-Za-z0-9_]+)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g;

/** Scans the leaves of a flat `<xml>` with one regular expression. */
export function floorScan(xml: string): Record<string, string> {
  const fields: Record<string, string> = Object.create(null);
  for (const match of xml.matchAll(LEAF)) {
    fields[match[1] as string] = match[2] ?? match[3] ?? '';
  }
  return fields;
}

/** Scan + one MD5 (or HMAC-SHA256) over the signing string + a plain comparison: the cheapest honest check. */
export function floorDecode(xml: string, key: string, signType: BenchSignType): Record<string, string> | undefined {
  const fields = floorScan(xml);
  const names = Object.keys(fields)
    .filter((name) => name !== 'sign' && fields[name] !== '')
    .sort();
  let payload = '';
  for (const name of names) payload += `${payload === '' ? '' : '&'}${name}=${fields[name]}`;
  payload += `&key=${key}`;
  const digest =
    signType === 'MD5'
      ? createHash('md5').update(payload, 'utf8').digest('hex')
      : createHmac('sha256', key).update(payload, 'utf8').digest('hex');
  return digest.toUpperCase() === fields['sign'] ? fields : undefined;
}
