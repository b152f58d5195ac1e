import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@tradestate/protocol';
import { describe, expect, it } from 'vitest';
import { resolveMerchantConfig } from '../src/config.ts';

const KEY = '192006250b4c09247ec02edce69f6a2d';
const baseEnv = { TRADESTATE_APPID: 'wxd930ea5d5a258f4f', TRADESTATE_MCH_ID: '10000100' };

function keyFile(content: string, mode = 0o600): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tradestate-key-')), 'key');
  writeFileSync(path, content, { mode });
  return path;
}

function failure(run: () => unknown): InvalidArgumentError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return err as InvalidArgumentError;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('resolveMerchantConfig', () => {
  it('reads every setting from the environment, the key from TRADESTATE_KEY, without warnings', () => {
    const { merchant, keySource, warnings } = resolveMerchantConfig(
      {},
      {
        ...baseEnv,
        TRADESTATE_KEY: KEY,
        TRADESTATE_SUB_MCH_ID: '1900000109',
        TRADESTATE_SUB_APPID: 'wx8888888888888888',
        TRADESTATE_SIGN_TYPE: 'hmac-sha256',
        TRADESTATE_BASE_URL: 'http://127.0.0.1:8080/',
        TRADESTATE_TIMEOUT: '5s',
      },
    );
    expect(merchant).toEqual({
      appId: 'wxd930ea5d5a258f4f',
      mchId: '10000100',
      key: KEY,
      subMchId: '1900000109',
      subAppId: 'wx8888888888888888',
      signType: 'HMAC-SHA256',
      baseURL: 'http://127.0.0.1:8080',
      timeoutMs: 5000,
    });
    expect(keySource).toBe('TRADESTATE_KEY');
    expect(warnings).toEqual([]);
  });

  it('lets a flag win over its environment variable', () => {
    const { merchant } = resolveMerchantConfig(
      { mchId: '20000200', baseUrl: 'https://api2.mch.weixin.qq.com' },
      { ...baseEnv, TRADESTATE_KEY: KEY },
    );
    expect(merchant.mchId).toBe('20000200');
    expect(merchant.baseURL).toBe('https://api2.mch.weixin.qq.com');
    expect(merchant.signType).toBe('MD5');
  });

  it('reads the key file, trims its newline, and prefers it over TRADESTATE_KEY', () => {
    const path = keyFile(`${KEY}\n`);
    const { merchant, keySource, warnings } = resolveMerchantConfig(
      { keyFile: path },
      { ...baseEnv, TRADESTATE_KEY: 'other' },
    );
    expect(merchant.key).toBe(KEY);
    // Named by the flag, never by the path: a path given there may be the key itself.
    expect(keySource).toBe('--key-file');
    expect(warnings).toEqual([]);
  });

  it('warns about a key file others can read, without its content', () => {
    const path = keyFile(KEY, 0o644);
    const { warnings } = resolveMerchantConfig({}, { ...baseEnv, TRADESTATE_KEY_FILE: path });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('chmod 600');
    expect(warnings.join()).not.toContain(KEY);
  });

  it('accepts --key only with a warning about shell history, which never contains the key', () => {
    const { merchant, warnings } = resolveMerchantConfig({ key: KEY }, baseEnv);
    expect(merchant.key).toBe(KEY);
    expect(warnings.join()).toMatch(/shell history/);
    expect(warnings.join()).not.toContain(KEY);
  });

  it('names the flag and the variable of whatever is missing', () => {
    expect(failure(() => resolveMerchantConfig({}, { TRADESTATE_MCH_ID: '1', TRADESTATE_KEY: KEY })).message).toMatch(
      /--appid.*TRADESTATE_APPID/,
    );
    expect(failure(() => resolveMerchantConfig({}, { TRADESTATE_APPID: 'wx', TRADESTATE_KEY: KEY })).message).toMatch(
      /--mch-id.*TRADESTATE_MCH_ID/,
    );
    expect(failure(() => resolveMerchantConfig({}, baseEnv)).message).toMatch(/TRADESTATE_KEY.*--key-file/);
  });

  it('refuses a key file it cannot read or that holds more than a key, and never quotes its content', () => {
    const unreadable = failure(() => resolveMerchantConfig({ keyFile: '/nonexistent/key' }, baseEnv)).message;
    expect(unreadable).toMatch(/cannot read the key file named by --key-file \(ENOENT\)/);
    expect(unreadable).not.toContain('/nonexistent/key');
    const secret = `${KEY} and-something-else`;
    const error = failure(() => resolveMerchantConfig({ keyFile: keyFile(secret) }, baseEnv));
    expect(error.message).toMatch(/does not hold one key/);
    expect(error.message).not.toContain(KEY);
  });

  it('refuses an unknown sign type, a base URL that is not http(s), and a bad timeout', () => {
    const env = { ...baseEnv, TRADESTATE_KEY: KEY };
    const signType = failure(() => resolveMerchantConfig({ signType: 'SHA1' }, env)).message;
    expect(signType).toMatch(/--sign-type must be MD5 or HMAC-SHA256/);
    expect(signType).not.toContain('SHA1');
    expect(failure(() => resolveMerchantConfig({}, { ...env, TRADESTATE_SIGN_TYPE: 'SHA1' })).message).toMatch(
      /TRADESTATE_SIGN_TYPE must be MD5/,
    );
    expect(failure(() => resolveMerchantConfig({ baseUrl: 'ftp://x' }, env)).message).toMatch(/neither http/);
    expect(failure(() => resolveMerchantConfig({ baseUrl: 'not a url' }, env)).message).toMatch(/not a URL/);
    expect(failure(() => resolveMerchantConfig({ timeout: 'soon' }, env)).message).toMatch(/not a duration/);
  });
});
