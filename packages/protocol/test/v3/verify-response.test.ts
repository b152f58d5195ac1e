import { describe, expect, it } from 'vitest';
import { SignatureError } from '../../src/errors.ts';
import { type PlatformVerifier, verifyWechatpaySignature } from '../../src/v3/verify-response.ts';
import { PLATFORM_KEY_ID, platformPublicKey, wechatpayHeaders } from './fixtures.ts';

const verifier: PlatformVerifier = { publicKey: platformPublicKey, publicKeyId: PLATFORM_KEY_ID };
const body = '{"trade_state":"SUCCESS"}';

function codeOf(run: () => void): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(SignatureError);
    expect((err as SignatureError).retryable).toBe(true);
    return (err as SignatureError).code;
  }
  return 'verified';
}

describe('verifying an APIv3 answer signature', () => {
  it('accepts the platform signature over the raw body, bytes or text, and an empty 204 body', () => {
    expect(codeOf(() => verifyWechatpaySignature(wechatpayHeaders(body), body, verifier))).toBe('verified');
    expect(codeOf(() => verifyWechatpaySignature(wechatpayHeaders(body), Buffer.from(body), verifier))).toBe(
      'verified',
    );
    expect(codeOf(() => verifyWechatpaySignature(wechatpayHeaders(''), Buffer.alloc(0), verifier))).toBe('verified');
  });

  it('reads headers case-insensitively from a plain record, a fetch Headers and Node-style lower-case names', () => {
    const upper = Object.fromEntries(
      Object.entries(wechatpayHeaders(body)).map(([k, v]) => [k.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()), v]),
    );
    expect(codeOf(() => verifyWechatpaySignature(upper, body, verifier))).toBe('verified');
    expect(codeOf(() => verifyWechatpaySignature(new Headers(wechatpayHeaders(body)), body, verifier))).toBe(
      'verified',
    );
  });

  it('says SIGNATURE_MISSING for each missing header', () => {
    for (const name of ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial']) {
      const headers: Record<string, string> = wechatpayHeaders(body);
      delete headers[name];
      expect(codeOf(() => verifyWechatpaySignature(headers, body, verifier))).toBe('SIGNATURE_MISSING');
    }
  });

  it('refuses a duplicated header, joined by Node, sent as an array, or spelt twice', () => {
    const headers = wechatpayHeaders(body);
    const joined = {
      ...headers,
      'wechatpay-signature': `${headers['wechatpay-signature']}, ${headers['wechatpay-signature']}`,
    };
    expect(codeOf(() => verifyWechatpaySignature(joined, body, verifier))).toBe('SIGNATURE_INVALID');
    const array = { ...headers, 'wechatpay-serial': [PLATFORM_KEY_ID, 'OTHER'] };
    expect(codeOf(() => verifyWechatpaySignature(array, body, verifier))).toBe('SIGNATURE_INVALID');
    const twice = { ...headers, 'Wechatpay-Timestamp': headers['wechatpay-timestamp'] };
    expect(codeOf(() => verifyWechatpaySignature(twice, body, verifier))).toBe('SIGNATURE_INVALID');
  });

  it('refuses a WECHATPAY/SIGNTEST/ probe as SIGNATURE_PROBE, retryable, without a crash', () => {
    const headers = wechatpayHeaders(body, { signature: 'WECHATPAY/SIGNTEST/ZGVhZGJlZWY=' });
    expect(codeOf(() => verifyWechatpaySignature(headers, body, verifier))).toBe('SIGNATURE_PROBE');
  });

  it('pins the serial: a signature by another platform key id is SIGNATURE_SERIAL', () => {
    const headers = wechatpayHeaders(body, { serial: 'PUB_KEY_ID_SOMEONE_ELSE' });
    expect(codeOf(() => verifyWechatpaySignature(headers, body, verifier))).toBe('SIGNATURE_SERIAL');
  });

  it('allows 5 minutes of skew either way and refuses 6 as SIGNATURE_EXPIRED', () => {
    const now = Math.floor(Date.now() / 1000);
    for (const skew of [-300, 300]) {
      expect(
        codeOf(() =>
          verifyWechatpaySignature(wechatpayHeaders(body, { timestamp: now + skew }), body, {
            ...verifier,
            now: () => now,
          }),
        ),
      ).toBe('verified');
    }
    for (const skew of [-360, 360]) {
      expect(
        codeOf(() =>
          verifyWechatpaySignature(wechatpayHeaders(body, { timestamp: now + skew }), body, {
            ...verifier,
            now: () => now,
          }),
        ),
      ).toBe('SIGNATURE_EXPIRED');
    }
    expect(codeOf(() => verifyWechatpaySignature(wechatpayHeaders(body, { timestamp: '1e9' }), body, verifier))).toBe(
      'SIGNATURE_EXPIRED',
    );
  });

  it('refuses a signature over another body, a re-serialised body and a tampered nonce', () => {
    const other = wechatpayHeaders(body, { signedBody: '{"trade_state":"NOTPAY"}' });
    expect(codeOf(() => verifyWechatpaySignature(other, body, verifier))).toBe('SIGNATURE_INVALID');
    const spaced = '{ "trade_state": "SUCCESS" }';
    expect(
      codeOf(() => verifyWechatpaySignature(wechatpayHeaders(spaced), JSON.stringify(JSON.parse(spaced)), verifier)),
    ).toBe('SIGNATURE_INVALID');
    const headers = { ...wechatpayHeaders(body), 'wechatpay-nonce': 'another' };
    expect(codeOf(() => verifyWechatpaySignature(headers, body, verifier))).toBe('SIGNATURE_INVALID');
  });

  it('never puts the signature or the body in its message', () => {
    const headers = wechatpayHeaders(body, { signedBody: 'x' });
    try {
      verifyWechatpaySignature(headers, body, verifier);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain(headers['wechatpay-signature']);
      expect((err as Error).message).not.toContain('SUCCESS');
    }
  });
});
