import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Sandbox, type SandboxV3Credentials, startSandbox } from '@tradestate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit-codes.ts';
import { runCli } from './run-cli.ts';

let sandbox: Sandbox;
let v3: SandboxV3Credentials;
let dir: string;
let env: Record<string, string>;

function secretFile(name: string, text: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  if (sandbox.v3 === undefined) throw new Error('no v3');
  v3 = sandbox.v3;
  dir = mkdtempSync(join(tmpdir(), 'tradestate-cli-v3-'));
  env = {
    TRADESTATE_API: 'v3',
    TRADESTATE_APPID: v3.appId,
    TRADESTATE_MCH_ID: v3.mchId,
    TRADESTATE_SERIAL_NO: v3.serialNo,
    TRADESTATE_PRIVATE_KEY_FILE: secretFile('apiclient_key.pem', v3.privateKey),
    TRADESTATE_PLATFORM_PUBLIC_KEY_FILE: secretFile('pub_key.pem', v3.platformPublicKey, 0o644),
    TRADESTATE_PLATFORM_PUBLIC_KEY_ID: v3.platformPublicKeyId,
    TRADESTATE_BASE_URL: sandbox.url,
  };
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

const FAST = ['--interval', '40ms', '--deadline', '5s'];

function expectNoSecret(...texts: string[]): void {
  const keyBody = v3.privateKey.split('\n')[1] as string;
  for (const text of texts) {
    expect(text).not.toContain(keyBody);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(v3.apiV3Key);
  }
}

describe('tradestate watch --api v3', () => {
  it('watches an order over APIv3 to SUCCESS with keys from files named by the environment', async () => {
    sandbox.createOrder({
      outTradeNo: 'WV3-PAID',
      totalFee: 2599,
      tradeType: 'NATIVE',
      script: [{ afterMs: 150, tradeState: 'SUCCESS' }],
    });
    const { code, stdout, stderr } = await runCli(['watch', '--out-trade-no', 'WV3-PAID', ...FAST, '--json'], { env });
    expect(code).toBe(EXIT_CODES.PAID);
    const last = JSON.parse(stdout.trimEnd().split('\n').at(-1) as string) as Record<string, unknown>;
    expect(last).toMatchObject({ tradeState: 'SUCCESS', done: true, end: 'SUCCESS' });
    expect(last['order']).toMatchObject({ outTradeNo: 'WV3-PAID', totalFee: 2599 });
    expect(sandbox.counters().byEndpoint['/v3/pay/transactions/out-trade-no/{out_trade_no}']).toBeGreaterThan(0);
    expectNoSecret(stdout, stderr);
  });

  it('takes the protocol and the key files from flags too, and ends NOT_FOUND on unsigned ORDER_NOT_EXIST after the grace', async () => {
    const flags = [
      '--api',
      'v3',
      '--private-key-file',
      env['TRADESTATE_PRIVATE_KEY_FILE'] as string,
      '--platform-public-key-file',
      env['TRADESTATE_PLATFORM_PUBLIC_KEY_FILE'] as string,
    ];
    const {
      TRADESTATE_API: _api,
      TRADESTATE_PRIVATE_KEY_FILE: _k,
      TRADESTATE_PLATFORM_PUBLIC_KEY_FILE: _p,
      ...rest
    } = env;
    const { code, stdout, stderr } = await runCli(
      ['watch', '--out-trade-no', 'WV3-NONE', ...flags, ...FAST, '--not-found-grace', '200ms', '--json'],
      { env: rest },
    );
    expect(code).toBe(EXIT_CODES.NOT_FOUND);
    expectNoSecret(stdout, stderr);
  });

  it('says which v3 setting is missing, exits 2 and queries nothing', async () => {
    sandbox.resetCounters();
    const { TRADESTATE_SERIAL_NO: _serial, ...withoutSerial } = env;
    const missing = await runCli(['watch', '--out-trade-no', 'A1'], { env: withoutSerial });
    expect(missing.code).toBe(EXIT_CODES.USAGE);
    expect(missing.stderr).toContain('--serial-no');
    const unreadable = await runCli(['watch', '--out-trade-no', 'A1'], {
      env: { ...env, TRADESTATE_PRIVATE_KEY_FILE: join(dir, 'nope.pem') },
    });
    expect(unreadable.code).toBe(EXIT_CODES.USAGE);
    expect(unreadable.stderr).toContain('nope.pem');
    const notAKey = await runCli(['watch', '--out-trade-no', 'A1'], {
      env: { ...env, TRADESTATE_PRIVATE_KEY_FILE: env['TRADESTATE_PLATFORM_PUBLIC_KEY_FILE'] as string },
    });
    expect(notAKey.code).toBe(EXIT_CODES.USAGE);
    expect(notAKey.stderr).toContain('privateKey');
    expect(sandbox.counters().requests).toBe(0);
    expectNoSecret(missing.stderr, unreadable.stderr, notAKey.stderr);
  });

  it('warns, without the key, when the private key file is readable by others', async () => {
    sandbox.createOrder({ outTradeNo: 'WV3-OPEN', totalFee: 1, tradeType: 'NATIVE', initialState: 'SUCCESS' });
    const open = secretFile('open_key.pem', v3.privateKey, 0o644);
    const { code, stderr } = await runCli(['watch', '--out-trade-no', 'WV3-OPEN', ...FAST], {
      env: { ...env, TRADESTATE_PRIVATE_KEY_FILE: open },
    });
    expect(code).toBe(EXIT_CODES.PAID);
    expect(stderr).toContain('chmod 600');
    expectNoSecret(stderr);
  });
});
