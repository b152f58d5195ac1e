import { defaultMerchant } from '@tradestate/sandbox';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../src/demo/run-demo.ts';
import { DEMO_SCENARIOS, type DemoScenario } from '../src/demo/scenarios.ts';
import { EXIT_CODES } from '../src/exit-codes.ts';
import { collect } from './collect.ts';
import { runCli, startCli, waitForOutput } from './run-cli.ts';

describe('tradestate demo', () => {
  it('ends every order as scripted, prints plain lines when piped, a summary table, and exits 0', async () => {
    // The default speed, as `pnpm demo` runs it: about 4 s.
    const { code, stdout, stderr } = await runCli(['demo']);
    expect(stderr).toBe('');
    expect(code, stdout).toBe(EXIT_CODES.PAID);
    expect(stdout).not.toContain('\u001b['); // piped: no cursor movement, no colour
    const expectations: Record<string, RegExp> = {
      'jsapi-paid': /NOTPAY → SUCCESS/,
      'micropay-password': /USERPAYING → SUCCESS/,
      'micropay-declined': /USERPAYING → PAYERROR/,
      'native-expired': /NOTPAY → CLOSED/,
      'paid-then-refunded': /NOTPAY → SUCCESS → REFUND/,
      'notified-first': /│ SUCCESS +│ SUCCESS +│ +0 │/,
    };
    const table = stdout.slice(stdout.indexOf('┌'));
    for (const [name, timeline] of Object.entries(expectations)) {
      expect(stdout).toMatch(new RegExp(`✔ ${name} `)); // its live line, once finished
      const row = table.split('\n').find((line) => line.includes(` ${name} `));
      expect(row, name).toMatch(timeline);
      expect(row, name).toContain('as scripted');
    }
    expect(stdout).toMatch(/6\/6 orders ended as scripted · \d+ queries served by the sandbox/);
    expect(stdout).not.toContain(defaultMerchant.key);
  });

  it('refuses a speed outside 1..1000 with the usage exit code', async () => {
    const { code, stderr } = await runCli(['demo', '--speed', '0']);
    expect(code).toBe(EXIT_CODES.USAGE);
    expect(stderr).toMatch(/--speed "0" must be a number from 1 to 1000/);
  });
});

describe('runDemo', () => {
  it('is not ok when an order ends otherwise than its script said, and names it', async () => {
    const paid = DEMO_SCENARIOS.find((scenario) => scenario.name === 'micropay-password');
    const declined = DEMO_SCENARIOS.find((scenario) => scenario.name === 'micropay-declined');
    if (paid === undefined || declined === undefined) throw new Error('demo scenarios changed');
    // The same story, wrongly expected to be paid: the demo must notice rather than report success.
    const wrong: DemoScenario = { ...declined, expectedEnd: 'SUCCESS' };
    const out = collect();
    const result = await runDemo({ stdout: out, scale: 1 / 40, scenarios: [paid, wrong] });
    expect(result.ok).toBe(false);
    expect(result.summary.map((line) => [line.label, line.status])).toEqual([
      ['micropay-password', 'ok'],
      ['micropay-declined', 'failed'],
    ]);
    expect(out.text()).toMatch(/1\/2 ended as scripted; not: micropay-declined/);
    expect(out.text()).toMatch(/micropay-declined .*USERPAYING → PAYERROR.*expected SUCCESS/);
    expect(result.sandboxQueries).toBe(result.summary.reduce((sum, line) => sum + line.queries, 0));
  });

  it('redraws in place on a terminal', async () => {
    const scenario = DEMO_SCENARIOS.find((s) => s.name === 'micropay-password');
    if (scenario === undefined) throw new Error('demo scenarios changed');
    const out = collect({ tty: true });
    const result = await runDemo({ stdout: out, scale: 1 / 40, scenarios: [scenario] });
    expect(result.ok, out.text()).toBe(true);
    const text = out.text();
    expect(text).toContain('\u001b[1A'); // log-update moves the cursor up to redraw
    expect(text).toContain('\u001b[32m'); // and the finished order is green
    // Several frames of the same row, the last one final.
    expect(text.split('micropay-password').length).toBeGreaterThan(3);
    expect(text).toMatch(/USERPAYING → SUCCESS/);
  });
});

describe('tradestate demo interrupted', () => {
  it('stops every watch, still prints the summary, and exits 130', async () => {
    const cli = startCli(['demo']);
    await waitForOutput(cli.stdout.text, (text) => text.includes('✔ micropay-declined'));
    cli.interrupt();
    expect(await cli.exit).toBe(EXIT_CODES.CANCELLED);
    expect(cli.stdout.text()).toMatch(/jsapi-paid .*CANCELLED/);
    expect(cli.stdout.text()).toMatch(/ended as scripted; not: /);
  });
});
