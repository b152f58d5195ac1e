import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit-codes.ts';
import { runCli, startCli, waitForOutput } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'tradestate-sandbox-v3-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Printed {
  url: string;
  appId: string;
  mchId: string;
  v3: {
    serialNo: string;
    platformPublicKeyId: string;
    privateKeyFile: string;
    platformPublicKeyFile: string;
    apiV3KeyFile: string;
  };
}

describe('tradestate sandbox --v3-keys-dir', () => {
  it('writes the APIv3 keys for tradestate watch --api v3, private ones 0600, never printing them', async () => {
    const sandbox = startCli(['sandbox', '--port', '0', '--json', '--quiet', '--v3-keys-dir', dir]);
    const printed = JSON.parse(await waitForOutput(sandbox.stdout.text, (t) => t.includes('\n'))) as Printed;
    expect(printed.v3.privateKeyFile).toBe(join(dir, 'apiclient_key.pem'));
    expect(statSync(printed.v3.privateKeyFile).mode & 0o777).toBe(0o600);
    expect(statSync(printed.v3.apiV3KeyFile).mode & 0o777).toBe(0o600);
    const privateKey = readFileSync(printed.v3.privateKeyFile, 'utf8');
    expect(privateKey).toMatch(/BEGIN PRIVATE KEY/);
    expect(sandbox.stdout.text()).not.toContain(privateKey.split('\n')[1]);
    expect(sandbox.stdout.text()).not.toContain(readFileSync(printed.v3.apiV3KeyFile, 'utf8'));

    await fetch(`${printed.url}/sandbox/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outTradeNo: 'CLIV3', totalFee: 1, tradeType: 'NATIVE', initialState: 'SUCCESS' }),
    });
    const watched = await runCli(['watch', '--out-trade-no', 'CLIV3', '--interval', '40ms', '--deadline', '5s'], {
      env: {
        TRADESTATE_API: 'v3',
        TRADESTATE_APPID: printed.appId,
        TRADESTATE_MCH_ID: printed.mchId,
        TRADESTATE_SERIAL_NO: printed.v3.serialNo,
        TRADESTATE_PRIVATE_KEY_FILE: printed.v3.privateKeyFile,
        TRADESTATE_PLATFORM_PUBLIC_KEY_FILE: printed.v3.platformPublicKeyFile,
        TRADESTATE_PLATFORM_PUBLIC_KEY_ID: printed.v3.platformPublicKeyId,
        TRADESTATE_BASE_URL: printed.url,
      },
    });
    expect(watched.code).toBe(EXIT_CODES.PAID);
    expect(watched.stderr).toBe('');
    sandbox.interrupt();
    expect(await sandbox.exit).toBe(EXIT_CODES.PAID);
  });

  it('prints the variables to export for people', async () => {
    const sandbox = startCli(['sandbox', '--port', '0', '--quiet', '--v3-keys-dir', dir]);
    const text = await waitForOutput(sandbox.stdout.text, (t) => t.includes('Ctrl-C'));
    expect(text).toContain('export TRADESTATE_API=v3');
    expect(text).toContain(`TRADESTATE_PRIVATE_KEY_FILE=${join(dir, 'apiclient_key.pem')}`);
    expect(text).not.toContain('BEGIN');
    sandbox.interrupt();
    await sandbox.exit;
  });
});
