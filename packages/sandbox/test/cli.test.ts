import { createPayClient, InvalidArgumentError } from '@tradestate/protocol';
import { describe, expect, it } from 'vitest';
import { CLI_USAGE, parseCliArgs, runCli } from '../src/cli.ts';
import { defaultMerchant } from '../src/index.ts';

describe('the tradestate-sandbox command line', () => {
  it('starts a sandbox and prints its URL and the public example credentials', async () => {
    const lines: string[] = [];
    const sandbox = await runCli(['--port', '0', '--quiet', '--faults', '{"systemError":1}'], (l) => lines.push(l));
    if (sandbox === undefined) throw new Error('no sandbox');
    try {
      expect(lines[0]).toBe(`tradestate sandbox listening on ${sandbox.url}`);
      expect(lines.join('\n')).toContain(`appid=${defaultMerchant.appId} mch_id=${defaultMerchant.mchId}`);
      expect(lines.join('\n')).toContain(defaultMerchant.key);
      sandbox.createOrder({ outTradeNo: 'CLI1', totalFee: 1, tradeType: 'NATIVE' });
      const outcome = await createPayClient({ ...defaultMerchant, baseURL: sandbox.url }).queryOrder({
        outTradeNo: 'CLI1',
      });
      expect(outcome).toMatchObject({ kind: 'error', code: 'SYSTEMERROR' });
    } finally {
      await sandbox.close();
    }
  });

  it('never prints a key given with --merchant', async () => {
    const lines: string[] = [];
    const secret = 'S3cr3tK3yS3cr3tK3yS3cr3tK3y12345';
    const sandbox = await runCli(['--port', '0', '--merchant', `wxabc:1900000001:${secret}`], (l) => lines.push(l));
    try {
      const text = lines.join('\n');
      expect(text).toContain('mch_id=1900000001');
      expect(text).not.toContain(secret);
      // Without --quiet events are logged, and still without the key.
      sandbox?.createOrder({ outTradeNo: 'CLI2', totalFee: 1, tradeType: 'NATIVE', initialState: 'SUCCESS' });
      expect(lines.some((l) => l.includes('CLI2'))).toBe(true);
      expect(lines.join('\n')).not.toContain(secret);
    } finally {
      await sandbox?.close();
    }
  });

  it('--help prints the usage and starts nothing', async () => {
    const lines: string[] = [];
    expect(await runCli(['--help'], (l) => lines.push(l))).toBeUndefined();
    expect(lines).toEqual([CLI_USAGE]);
  });

  it('reads every option, with 8080 as the default port', () => {
    expect(parseCliArgs([])).toMatchObject({ port: 8080, host: '127.0.0.1', quiet: false });
    expect(
      parseCliArgs(['--port', '9000', '--host', '0.0.0.0', '--seed', '5', '--time-scale', '0.01', '--quiet']),
    ).toEqual({ port: 9000, host: '0.0.0.0', seed: 5, timeScale: 0.01, quiet: true });
  });

  for (const argv of [
    ['--port', 'abc'],
    ['--port', '70000'],
    ['--time-scale', '-1'],
    ['--seed', '1.5'],
    ['--faults', '{"hang":3}'],
    ['--faults', 'nope'],
    ['--merchant', 'only:two'],
    ['--unknown'],
    ['positional'],
  ]) {
    it(`refuses ${argv.join(' ')} with an InvalidArgumentError`, () => {
      expect(() => parseCliArgs(argv)).toThrow(InvalidArgumentError);
    });
  }
});
