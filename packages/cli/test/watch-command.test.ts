import { defaultMerchant, type Sandbox, startSandbox } from '@tradestate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit-codes.ts';
import { runCli, startCli, waitForOutput } from './run-cli.ts';

let sandbox: Sandbox;
let env: Record<string, string>;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  env = {
    TRADESTATE_APPID: defaultMerchant.appId,
    TRADESTATE_MCH_ID: defaultMerchant.mchId,
    TRADESTATE_KEY: defaultMerchant.key,
    TRADESTATE_BASE_URL: sandbox.url,
  };
});
afterAll(() => sandbox.close());

const FAST = ['--interval', '40ms', '--deadline', '5s'];

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function lastLine(stdout: string): Record<string, unknown> {
  const last = jsonLines(stdout).at(-1);
  if (last === undefined) throw new Error('no JSON line printed');
  return last;
}

function expectNoKey(...texts: string[]): void {
  for (const text of texts) expect(text).not.toContain(defaultMerchant.key);
}

describe('tradestate watch --json', () => {
  it('prints one JSON line per change and exits 0 once the order is paid', async () => {
    sandbox.createOrder({
      outTradeNo: 'W-PAID',
      totalFee: 1999,
      tradeType: 'NATIVE',
      script: [{ afterMs: 150, tradeState: 'SUCCESS' }],
    });
    const { code, stdout, stderr } = await runCli(['watch', '--out-trade-no', 'W-PAID', ...FAST, '--json'], { env });
    expect(code).toBe(EXIT_CODES.PAID);
    const lines = jsonLines(stdout);
    expect(lines[0]).toMatchObject({ outTradeNo: 'W-PAID', tradeState: null, done: false, attempts: 0 });
    expect(lines.map((line) => line['tradeState'])).toContain('NOTPAY');
    const last = lastLine(stdout);
    expect(last).toMatchObject({ tradeState: 'SUCCESS', done: true, end: 'SUCCESS', error: null });
    expect(last['order']).toMatchObject({ outTradeNo: 'W-PAID', totalFee: 1999, tradeType: 'NATIVE' });
    expect((last['order'] as { paidAt: string }).paidAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(last['attempts']).toBe(sandbox.getOrder('W-PAID')?.queries);
    expectNoKey(stdout, stderr);
  });

  it('watches by transaction id', async () => {
    const order = sandbox.createOrder({
      outTradeNo: 'W-TXN',
      totalFee: 5,
      tradeType: 'JSAPI',
      initialState: 'SUCCESS',
    });
    const { code, stdout } = await runCli(['watch', '--transaction-id', order.transactionId, ...FAST, '--json'], {
      env,
    });
    expect(code).toBe(EXIT_CODES.PAID);
    expect(jsonLines(stdout).at(-1)).toMatchObject({ transactionId: order.transactionId, end: 'SUCCESS' });
  });
});

describe('tradestate watch exit codes', () => {
  it('3 when the order ends unpaid', async () => {
    sandbox.createOrder({
      outTradeNo: 'W-CLOSED',
      totalFee: 1,
      tradeType: 'NATIVE',
      script: [{ afterMs: 80, tradeState: 'CLOSED' }],
    });
    const { code, stdout } = await runCli(['watch', '--out-trade-no', 'W-CLOSED', ...FAST], { env });
    expect(code).toBe(EXIT_CODES.UNPAID);
    expect(stdout).toMatch(/ended unpaid: closed \(CLOSED\)/);
  });

  it('4 when WeChat does not know the order past the grace window', async () => {
    const { code, stdout } = await runCli(
      ['watch', '--out-trade-no', 'W-NOWHERE', ...FAST, '--not-found-grace', '200ms', '--json'],
      { env },
    );
    expect(code).toBe(EXIT_CODES.NOT_FOUND);
    expect(jsonLines(stdout).at(-1)).toMatchObject({ done: true, end: 'NOT_FOUND', tradeState: null });
  });

  it('5 when the deadline comes with the order still open', async () => {
    sandbox.createOrder({ outTradeNo: 'W-OPEN', totalFee: 1, tradeType: 'NATIVE' });
    const { code, stdout } = await runCli(
      ['watch', '--out-trade-no', 'W-OPEN', '--interval', '40ms', '--deadline', '300ms'],
      {
        env,
      },
    );
    expect(code).toBe(EXIT_CODES.DEADLINE);
    expect(stdout).toMatch(/NOTPAY · \d+ quer/);
    expect(stdout).toMatch(/deadline reached, still open \(DEADLINE\)/);
  });

  it('7 when the deadline comes without a single verified answer', async () => {
    sandbox.createOrder({ outTradeNo: 'W-DEAF', totalFee: 1, tradeType: 'NATIVE' });
    sandbox.setFaults({ systemError: 1 });
    try {
      const { code, stdout } = await runCli(
        ['watch', '--out-trade-no', 'W-DEAF', '--interval', '40ms', '--deadline', '300ms'],
        { env },
      );
      expect(code).toBe(EXIT_CODES.NO_ANSWER);
      expect(stdout).toMatch(/without a single verified answer/);
    } finally {
      sandbox.setFaults({});
    }
  });

  it('6 when a followed order is refunded', async () => {
    sandbox.createOrder({
      outTradeNo: 'W-REFUND',
      totalFee: 300,
      tradeType: 'JSAPI',
      initialState: 'SUCCESS',
      script: [{ afterMs: 120, tradeState: 'REFUND' }],
    });
    const { code } = await runCli(['watch', '--out-trade-no', 'W-REFUND', ...FAST, '--follow-refunds'], { env });
    expect(code).toBe(EXIT_CODES.REFUNDED);
  });

  it('1 on an answer asking again cannot fix (a wrong key), naming the error but neither key', async () => {
    sandbox.createOrder({ outTradeNo: 'W-KEY', totalFee: 1, tradeType: 'NATIVE' });
    const wrongKey = 'a'.repeat(32);
    const { code, stdout, stderr } = await runCli(['watch', '--out-trade-no', 'W-KEY', ...FAST, '--json'], {
      env: { ...env, TRADESTATE_KEY: wrongKey },
    });
    expect(code).toBe(EXIT_CODES.ERROR);
    const last = lastLine(stdout);
    expect(last).toMatchObject({ done: true, end: 'ERROR', tradeState: null });
    expect((last['error'] as { code: string }).code).toMatch(/SIGNERROR|RETURN_FAIL/);
    expectNoKey(stdout, stderr);
    expect(`${stdout}${stderr}`).not.toContain(wrongKey);
  });

  it('2 on bad configuration, before any query', async () => {
    const before = sandbox.counters().requests;
    const missing = await runCli(['watch', '--out-trade-no', 'W-PAID'], { env: { TRADESTATE_KEY: 'k' } });
    expect(missing.code).toBe(EXIT_CODES.USAGE);
    expect(missing.stderr).toMatch(/missing app id: pass --appid or set TRADESTATE_APPID/);
    const both = await runCli(['watch', '--out-trade-no', 'A', '--transaction-id', 'B'], { env });
    expect(both.code).toBe(EXIT_CODES.USAGE);
    expect(both.stderr).toMatch(/cannot be used with/);
    const neither = await runCli(['watch'], { env });
    expect(neither.code).toBe(EXIT_CODES.USAGE);
    expect(neither.stderr).toMatch(/--out-trade-no or --transaction-id/);
    const badId = await runCli(['watch', '--out-trade-no', 'not valid!', ...FAST], { env });
    expect(badId.code).toBe(EXIT_CODES.USAGE);
    expect(badId.stderr).toContain('INVALID_ARGUMENT');
    expect(sandbox.counters().requests).toBe(before);
  });

  it('130 when interrupted, with the watch cancelled', async () => {
    sandbox.createOrder({ outTradeNo: 'W-CTRLC', totalFee: 1, tradeType: 'NATIVE' });
    const cli = startCli(['watch', '--out-trade-no', 'W-CTRLC', '--interval', '40ms', '--deadline', '1m', '--json'], {
      env,
    });
    await waitForOutput(cli.stdout.text, (text) => text.includes('"NOTPAY"'));
    cli.interrupt();
    expect(await cli.exit).toBe(EXIT_CODES.CANCELLED);
    expect(jsonLines(cli.stdout.text()).at(-1)).toMatchObject({ done: true, end: 'CANCELLED', tradeState: 'NOTPAY' });
  });
});

describe('the API key', () => {
  it('from --key works, with a warning on stderr that never repeats it', async () => {
    sandbox.createOrder({ outTradeNo: 'W-FLAG', totalFee: 1, tradeType: 'NATIVE', initialState: 'SUCCESS' });
    const { TRADESTATE_KEY: _omitted, ...withoutKey } = env;
    const { code, stdout, stderr } = await runCli(
      ['watch', '--out-trade-no', 'W-FLAG', ...FAST, '--key', defaultMerchant.key],
      { env: withoutKey },
    );
    expect(code).toBe(EXIT_CODES.PAID);
    expect(stderr).toMatch(/warning: --key puts the API key in your shell history/);
    expectNoKey(stdout, stderr);
  });
});
