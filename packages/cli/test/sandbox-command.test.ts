import { createPayClient } from '@tradestate/protocol';
import { defaultMerchant } from '@tradestate/sandbox';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit-codes.ts';
import { runCli, startCli, waitForOutput } from './run-cli.ts';

describe('tradestate sandbox', () => {
  it('serves the protocol and the control API at the URL it prints, until interrupted', async () => {
    const cli = startCli(['sandbox', '--port', '0', '--json', '--time-scale', '0.01', '--quiet']);
    const line = await waitForOutput(cli.stdout.text, (text) => text.includes('\n'));
    const printed = JSON.parse(line) as { url: string; appId: string; mchId: string; key: string };
    expect(printed).toMatchObject({ appId: defaultMerchant.appId, mchId: defaultMerchant.mchId });
    expect(printed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const created = await fetch(`${printed.url}/sandbox/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outTradeNo: 'CLI1', totalFee: 1, tradeType: 'NATIVE' }),
    });
    expect(created.status).toBe(201);
    const client = createPayClient({ ...printed, baseURL: printed.url });
    const outcome = await client.queryOrder({ outTradeNo: 'CLI1' });
    expect(outcome.kind === 'order' && outcome.tradeState).toBe('NOTPAY');

    cli.interrupt();
    expect(await cli.exit).toBe(EXIT_CODES.PAID);
    expect(cli.stderr.text()).toBe('');
    await expect(fetch(`${printed.url}/sandbox/orders`)).rejects.toThrow();
  });

  it('prints the URL and the credentials for people, and logs order events to stderr', async () => {
    const cli = startCli(['sandbox', '--port', '0']);
    const text = await waitForOutput(cli.stdout.text, (t) => t.includes('Ctrl-C'));
    const url = /listening on (http:\S+)/.exec(text)?.[1];
    expect(url).toBeDefined();
    expect(text).toContain(`appid   ${defaultMerchant.appId}`);
    expect(text).toContain(`mch_id  ${defaultMerchant.mchId}`);
    expect(text).toMatch(/key {5}\w{32} {3}\(WeChat's public documentation key/);
    await fetch(`${url}/sandbox/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outTradeNo: 'CLI2', totalFee: 1, tradeType: 'NATIVE' }),
    });
    await waitForOutput(cli.stderr.text, (t) => t.includes('sandbox: order CLI2 created for 10000100 in NOTPAY'));
    cli.interrupt();
    expect(await cli.exit).toBe(EXIT_CODES.PAID);
    expect(cli.stdout.text()).toContain('sandbox stopped');
  });

  it('with a control token, serves the control API only to requests carrying it, and never prints it', async () => {
    const token = 'cli-sandbox-control-token-42';
    const cli = startCli(['sandbox', '--port', '0', '--quiet'], { env: { TRADESTATE_SANDBOX_CONTROL_TOKEN: token } });
    const text = await waitForOutput(cli.stdout.text, (t) => t.includes('Ctrl-C'));
    const url = /listening on (http:\S+)/.exec(text)?.[1];
    const order = (outTradeNo: string, headers: Record<string, string>) =>
      fetch(`${url}/sandbox/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ outTradeNo, totalFee: 1, tradeType: 'NATIVE' }),
      });
    expect((await order('CLI3', {})).status).toBe(401);
    expect((await order('CLI3', { authorization: `Bearer ${token}` })).status).toBe(201);
    expect(text).toContain('Authorization: Bearer <your control token>');
    cli.interrupt();
    expect(await cli.exit).toBe(EXIT_CODES.PAID);
    expect(`${cli.stdout.text()}${cli.stderr.text()}`).not.toContain(token);
  });

  it('refuses a cross-site text/plain POST to the control API it serves', async () => {
    const cli = startCli(['sandbox', '--port', '0', '--json', '--quiet']);
    const printed = JSON.parse(await waitForOutput(cli.stdout.text, (t) => t.includes('\n'))) as { url: string };
    const simple = await fetch(`${printed.url}/sandbox/orders`, {
      method: 'POST',
      body: JSON.stringify({ outTradeNo: 'CLI4', totalFee: 1, tradeType: 'NATIVE' }),
    });
    expect(simple.status).toBe(415);
    expect((await (await fetch(`${printed.url}/sandbox/orders`)).json()) as unknown[]).toEqual([]);
    cli.interrupt();
    expect(await cli.exit).toBe(EXIT_CODES.PAID);
  });

  it('refuses a bad port before listening, with the usage exit code', async () => {
    const { code, stderr } = await runCli(['sandbox', '--port', '70000']);
    expect(code).toBe(EXIT_CODES.USAGE);
    expect(stderr).toMatch(/--port "70000" is not valid/);
  });
});
