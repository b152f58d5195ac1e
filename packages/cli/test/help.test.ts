import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit-codes.ts';
import { runCli } from './run-cli.ts';

describe('tradestate --help', () => {
  it('lists the commands and documents every exit code', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(EXIT_CODES.PAID);
    for (const command of ['demo', 'watch', 'sandbox']) expect(stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    for (const exitCode of [0, 1, 2, 3, 4, 5, 6, 130])
      expect(stdout).toMatch(new RegExp(`^\\s+${exitCode}\\s+\\w`, 'm'));
  });

  it.each([
    ['demo', /\$ tradestate demo/],
    ['watch', /\$ tradestate watch --out-trade-no/],
    ['sandbox', /\$ tradestate sandbox --port 8080/],
  ])('shows examples for %s', async (command, example) => {
    const { code, stdout } = await runCli([command, '--help']);
    expect(code).toBe(EXIT_CODES.PAID);
    expect(stdout).toContain('Examples:');
    expect(stdout).toMatch(example);
  });

  it('explains where watch reads its configuration, and warns against --key', async () => {
    const { stdout } = await runCli(['watch', '--help']);
    for (const name of ['TRADESTATE_APPID', 'TRADESTATE_MCH_ID', 'TRADESTATE_KEY', 'TRADESTATE_KEY_FILE']) {
      expect(stdout).toContain(name);
    }
    expect(stdout).toMatch(/--key <key>.*shell history/);
  });

  it('answers an unknown command or option with the usage exit code and a hint on stderr', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(EXIT_CODES.USAGE);
    // Named not by what was typed (it may be the key), but by the commands there are.
    expect(unknown.stderr).toMatch(/unknown command \(not repeated: the commands are demo, watch, sandbox\)/);
    expect(unknown.stderr).not.toContain('frobnicate');
    const badOption = await runCli(['watch', '--out-trade-no', 'A1', '--schedule', 'hourly']);
    expect(badOption.code).toBe(EXIT_CODES.USAGE);
    expect(badOption.stderr).toMatch(/Allowed choices are micropay, native, backend/);
    expect(badOption.stderr).toContain('--help');
  });
});
