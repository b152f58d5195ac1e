import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DecryptionError, InvalidArgumentError } from '../../src/errors.ts';
import { apiV3KeyOf, decryptAesGcm, encryptAesGcm } from '../../src/v3/aes-gcm.ts';
import { authorizationHeader, parseAuthorizationHeader, signRequest } from '../../src/v3/authorization.ts';
import { privateKeyOf, publicKeyOf } from '../../src/v3/keys.ts';
import { signSha256Rsa, verifySha256Rsa } from '../../src/v3/rsa.ts';
import { requestSigningMessage, responseSigningMessage } from '../../src/v3/signing-message.ts';
import {
  fixture,
  MERCHANT_PRIVATE_PEM,
  MERCHANT_PUBLIC_PEM,
  MERCHANT_SERIAL,
  PLATFORM_PRIVATE_PEM,
} from './fixtures.ts';

// wechatpay-axios-plugin is CommonJS: its helpers are an implementation of v3 crypto written apart from ours.
const require = createRequire(import.meta.url);
const { Rsa, Aes, Formatter } = require('wechatpay-axios-plugin') as {
  Rsa: {
    from(key: string, type: string): unknown;
    sign(message: string, key: unknown): string;
    verify(message: string, signature: string, key: unknown): boolean;
    KEY_TYPE_PUBLIC: string;
    KEY_TYPE_PRIVATE: string;
  };
  Aes: {
    AesGcm: {
      encrypt(plaintext: string, key: string, iv: string, aad: string): string;
      decrypt(ciphertext: string, key: string, iv: string, aad: string): string;
    };
  };
  Formatter: { request(method: string, uri: string, ts: number | string, nonce: string, body?: string): string };
};

const REQUEST_MESSAGE = fixture('request-message.txt');
const REQUEST_SIGNATURE = fixture('request-signature.b64').trim();
const AES = JSON.parse(fixture('aes-gcm-vector.json')) as {
  key: string;
  nonce: string;
  associatedData: string;
  plaintext: string;
  ciphertext: string;
};
const merchantKey = privateKeyOf(MERCHANT_PRIVATE_PEM, 'privateKey');
const merchantPublic = publicKeyOf(MERCHANT_PUBLIC_PEM, 'publicKey');

describe('the APIv3 signing message', () => {
  it('is METHOD, URL, TIMESTAMP, NONCE and BODY, each line ended by a newline, the empty GET body included', () => {
    const message = requestSigningMessage(
      'GET',
      '/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1230000109',
      1554208460,
      '593BEC0C930BF1AFEB40B4A08C8FB242',
      '',
    );
    expect(message).toBe(REQUEST_MESSAGE);
    expect(message).toBe(
      Formatter.request(
        'GET',
        '/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1230000109',
        1554208460,
        '593BEC0C930BF1AFEB40B4A08C8FB242',
        '',
      ),
    );
  });

  it('of an answer covers the raw bytes, and a 204 signs an empty last line', () => {
    const body = Buffer.from('{"a":"中"}');
    expect(responseSigningMessage('1', 'n', body).toString('utf8')).toBe('1\nn\n{"a":"中"}\n');
    expect(responseSigningMessage('1', 'n', body)).toEqual(responseSigningMessage('1', 'n', '{"a":"中"}'));
    expect(responseSigningMessage('1554208460', 'n', Buffer.alloc(0)).toString()).toBe('1554208460\nn\n\n');
  });
});

describe('RSA-SHA256 (PKCS#1 v1.5) signing', () => {
  it('gives the known answer openssl gave for the committed key and message (PKCS#1 v1.5 is deterministic)', () => {
    expect(signSha256Rsa(REQUEST_MESSAGE, merchantKey)).toBe(REQUEST_SIGNATURE);
  });

  it('agrees with the openssl command line both ways on a fresh message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tradestate-v3-'));
    try {
      const message = requestSigningMessage(
        'POST',
        '/v3/pay/transactions/out-trade-no/A1/close',
        1700000000,
        'N',
        '{"mchid":"1"}',
      );
      const keyFile = join(dir, 'key.pem');
      const pubFile = join(dir, 'pub.pem');
      const messageFile = join(dir, 'message');
      const sigFile = join(dir, 'sig');
      writeFileSync(keyFile, MERCHANT_PRIVATE_PEM);
      writeFileSync(pubFile, MERCHANT_PUBLIC_PEM);
      writeFileSync(messageFile, message);
      const fromOpenssl = execFileSync('openssl', ['dgst', '-sha256', '-sign', keyFile, messageFile]).toString(
        'base64',
      );
      expect(signSha256Rsa(message, merchantKey)).toBe(fromOpenssl);
      writeFileSync(sigFile, Buffer.from(signSha256Rsa(message, merchantKey), 'base64'));
      const verified = execFileSync('openssl', [
        'dgst',
        '-sha256',
        '-verify',
        pubFile,
        '-signature',
        sigFile,
        messageFile,
      ]);
      expect(verified.toString()).toContain('Verified OK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("agrees with wechatpay-axios-plugin's Rsa helper both ways", () => {
    const message = requestSigningMessage('GET', '/v3/certificates', 1700000001, 'abc', '');
    const theirKey = Rsa.from(MERCHANT_PRIVATE_PEM, Rsa.KEY_TYPE_PRIVATE);
    const theirPublic = Rsa.from(MERCHANT_PUBLIC_PEM, Rsa.KEY_TYPE_PUBLIC);
    expect(signSha256Rsa(message, merchantKey)).toBe(Rsa.sign(message, theirKey));
    expect(Rsa.verify(message, signSha256Rsa(message, merchantKey), theirPublic)).toBe(true);
    expect(verifySha256Rsa(message, Rsa.sign(message, theirKey), merchantPublic)).toBe(true);
  });

  it('does not verify another message, another key, or text that is not base64 of a signature', () => {
    const signature = signSha256Rsa('a', merchantKey);
    expect(verifySha256Rsa('a', signature, merchantPublic)).toBe(true);
    expect(verifySha256Rsa('b', signature, merchantPublic)).toBe(false);
    expect(verifySha256Rsa('a', signature, publicKeyOf(fixture('platform-public.pem'), 'k'))).toBe(false);
    expect(verifySha256Rsa('a', `${signature}!!`, merchantPublic)).toBe(false);
    expect(verifySha256Rsa('a', signature.slice(0, 100), merchantPublic)).toBe(false);
    expect(verifySha256Rsa('a', '', merchantPublic)).toBe(false);
  });
});

describe('keys', () => {
  it('are parsed once from PEM and refused, without echoing them, when they are not RSA keys of the right kind', () => {
    expect(privateKeyOf(Buffer.from(MERCHANT_PRIVATE_PEM), 'privateKey').type).toBe('private');
    expect(() => privateKeyOf('not a key', 'privateKey')).toThrow(InvalidArgumentError);
    expect(() => publicKeyOf(PLATFORM_PRIVATE_PEM, 'platformPublicKey')).toThrow(/not a private one/);
    expect(() => publicKeyOf(merchantKey, 'platformPublicKey')).toThrow(/must be a public key/);
    try {
      privateKeyOf(MERCHANT_PRIVATE_PEM.replace('MII', 'XII'), 'privateKey');
      expect.unreachable();
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('BEGIN');
    }
  });
});

describe('the Authorization header', () => {
  it('has the documented scheme and field order', () => {
    const header = authorizationHeader({
      mchId: '1230000109',
      nonce: '593BEC0C930BF1AFEB40B4A08C8FB242',
      timestamp: 1554208460,
      serialNo: MERCHANT_SERIAL,
      signature: REQUEST_SIGNATURE,
    });
    expect(header).toBe(
      `WECHATPAY2-SHA256-RSA2048 mchid="1230000109",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",` +
        `timestamp="1554208460",serial_no="${MERCHANT_SERIAL}",signature="${REQUEST_SIGNATURE}"`,
    );
  });

  it('is signed with a fresh 32-character nonce and the current time, and reads back into its parts', () => {
    const signer = { mchId: '1230000109', serialNo: MERCHANT_SERIAL, privateKey: merchantKey };
    const url = '/v3/pay/transactions/out-trade-no/A1?mchid=1230000109';
    const first = parseAuthorizationHeader(signRequest(signer, 'GET', url, ''));
    const second = parseAuthorizationHeader(signRequest(signer, 'GET', url, ''));
    expect(first?.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(first?.nonce).not.toBe(second?.nonce);
    expect(Math.abs(Number(first?.timestamp) - Date.now() / 1000)).toBeLessThan(5);
    const message = requestSigningMessage('GET', url, first?.timestamp ?? '', first?.nonce ?? '', '');
    expect(verifySha256Rsa(message, first?.signature ?? '', merchantPublic)).toBe(true);
  });

  it('is refused when it is another scheme, repeats a field or lacks one', () => {
    const good = authorizationHeader({ mchId: '1', nonce: 'n', timestamp: 1, serialNo: 's', signature: 'x' });
    expect(parseAuthorizationHeader(good)).toEqual({
      mchId: '1',
      nonce: 'n',
      timestamp: '1',
      serialNo: 's',
      signature: 'x',
    });
    expect(parseAuthorizationHeader(good.replace('WECHATPAY2-SHA256-RSA2048', 'Bearer'))).toBeUndefined();
    expect(parseAuthorizationHeader(`${good},mchid="2"`)).toBeUndefined();
    expect(parseAuthorizationHeader(good.replace(',signature="x"', ''))).toBeUndefined();
    expect(parseAuthorizationHeader(undefined)).toBeUndefined();
  });
});

describe('AES-256-GCM resource decryption', () => {
  const key = apiV3KeyOf(AES.key);

  it('decrypts the committed vector (a 32-byte key, made with Python cryptography)', () => {
    expect(decryptAesGcm(AES.ciphertext, key, AES.nonce, AES.associatedData).toString('utf8')).toBe(AES.plaintext);
  });

  it("agrees with wechatpay-axios-plugin's AesGcm both ways", () => {
    expect(Aes.AesGcm.decrypt(AES.ciphertext, AES.key, AES.nonce, AES.associatedData)).toBe(AES.plaintext);
    const theirs = Aes.AesGcm.encrypt('{"x":1}', AES.key, 'abcdefghijkl', 'transaction');
    expect(decryptAesGcm(theirs, key, 'abcdefghijkl', 'transaction').toString()).toBe('{"x":1}');
    expect(encryptAesGcm('{"x":1}', key, 'abcdefghijkl', 'transaction')).toBe(theirs);
  });

  it('refuses a truncated tag, which the peer helper accepts as a shorter one', () => {
    const sealed = Buffer.from(AES.ciphertext, 'base64');
    const cut = sealed.subarray(0, sealed.length - 4).toString('base64');
    expect(() => decryptAesGcm(cut, key, AES.nonce, AES.associatedData)).toThrow(DecryptionError);
    expect(() => decryptAesGcm(sealed.subarray(0, 10).toString('base64'), key, AES.nonce, '')).toThrow(
      /shorter than its tag/,
    );
  });

  it('refuses a wrong AAD, nonce, key, a flipped ciphertext bit and text that is not base64', () => {
    const sealed = Buffer.from(AES.ciphertext, 'base64');
    sealed[3] = (sealed[3] as number) ^ 1;
    const cases: (() => unknown)[] = [
      () => decryptAesGcm(AES.ciphertext, key, AES.nonce, 'refund'),
      () => decryptAesGcm(AES.ciphertext, key, AES.nonce, ''),
      () => decryptAesGcm(AES.ciphertext, key, 'fdasflkja485', AES.associatedData),
      () => decryptAesGcm(AES.ciphertext, key, 'short', AES.associatedData),
      () => decryptAesGcm(AES.ciphertext, apiV3KeyOf('x'.repeat(32)), AES.nonce, AES.associatedData),
      () => decryptAesGcm(sealed.toString('base64'), key, AES.nonce, AES.associatedData),
      () => decryptAesGcm(`*${AES.ciphertext.slice(1)}`, key, AES.nonce, AES.associatedData),
    ];
    for (const attempt of cases) {
      expect(attempt).toThrow(DecryptionError);
      try {
        attempt();
      } catch (err) {
        expect((err as DecryptionError).code).toBe('DECRYPT_FAILED');
        expect((err as Error).message).not.toContain(AES.key);
      }
    }
  });

  it('refuses a key that is not 32 bytes, such as the 16-byte keys of AES-128 vectors', () => {
    expect(() => apiV3KeyOf('0123456789abcdef')).toThrow(InvalidArgumentError);
    expect(() => apiV3KeyOf('x'.repeat(33))).toThrow(/32 bytes/);
    expect(() => decryptAesGcm(AES.ciphertext, Buffer.alloc(16), AES.nonce, '')).toThrow(InvalidArgumentError);
  });
});
