import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit-codes.ts';
import { createProgram } from '../src/program.ts';
import { redact, secretsOf } from '../src/redact.ts';
import { safeCommanderMessage } from '../src/safe-command.ts';
import { collect } from './collect.ts';
import { runCli } from './run-cli.ts';

// A key as a user would paste it: 32 characters. Any trace of it, or of its first 12 characters, is a leak.
const KEY = 'Pasted0Key1tradestate2CliLeak3x9';
const TOKEN = 'Pasted-Control-Token-0123456789';
// Port 9 (discard) on loopback: should a typo ever get as far as a query, it fails at once and stays local.
const env = {
  TRADESTATE_APPID: 'wxd930ea5d5a258f4f',
  TRADESTATE_MCH_ID: '10000100',
  TRADESTATE_BASE_URL: 'http://127.0.0.1:9',
};
const WATCH = ['watch', '--out-trade-no', 'A1', '--timeout', '200ms', '--deadline', '1s'];

function expectNoSecret(output: { stdout: string; stderr: string }, secret = KEY): void {
  const text = `${output.stdout}\n${output.stderr}`;
  expect(text).not.toContain(secret);
  expect(text).not.toContain(secret.slice(0, 12));
}

describe('the CLI never repeats the key, however a flag is mistyped', () => {
  it.each([
    ['--keys=KEY', [`--keys=${KEY}`], /unknown option '--keys'/],
    ['--Key=KEY', [`--Key=${KEY}`], /unknown option '--Key'/],
    ['--api-key=KEY', [`--api-key=${KEY}`], /unknown option '--api-key'/],
    ['--key_file=KEY', [`--key_file=${KEY}`], /unknown option '--key_file'/],
    ['--keyKEY (glued)', [`--key${KEY}`], /unknown option \(not repeated/],
    ['-kKEY (a short flag glued to it)', [`-k${KEY}`], /unknown option '-k'/],
    ['--keys KEY', ['--keys', KEY], /unknown option '--keys'/],
  ])('an unknown option %s is named without its value', async (_label, typo, named) => {
    const result = await runCli([...WATCH, ...typo], { env });
    expect(result.code).toBe(EXIT_CODES.USAGE);
    expect(result.stderr).toMatch(named);
    expectNoSecret(result);
  });

  it('an unknown option before the command is named without its value too', async () => {
    const result = await runCli([`--key=${KEY}`, 'watch', '--out-trade-no', 'A1'], { env });
    expect(result.code).toBe(EXIT_CODES.USAGE);
    expect(result.stderr).toMatch(/unknown option '--key'/);
    expectNoSecret(result);
  });

  it.each([
    ['--key-file KEY', { argv: ['--key-file', KEY], env: {} }, '--key-file'],
    ['--key-file=KEY', { argv: [`--key-file=${KEY}`], env: {} }, '--key-file'],
    ['TRADESTATE_KEY_FILE=KEY', { argv: [], env: { TRADESTATE_KEY_FILE: KEY } }, 'TRADESTATE_KEY_FILE'],
  ])('the key given where a key file path goes (%s) is not quoted as a path', async (_label, typo, source) => {
    const result = await runCli([...WATCH, ...typo.argv], { env: { ...env, ...typo.env } });
    expect(result.code).toBe(EXIT_CODES.USAGE);
    expect(result.stderr).toContain(`cannot read the key file named by ${source} (ENOENT)`);
    expect(result.stderr).toContain('TRADESTATE_KEY takes the key');
    expectNoSecret(result);
  });

  it.each([
    ['--sign-type KEY', { argv: ['--sign-type', KEY], env: { TRADESTATE_KEY: 'k'.repeat(32) } }, '--sign-type'],
    ['--sign-type=KEY', { argv: [`--sign-type=${KEY}`], env: { TRADESTATE_KEY: 'k'.repeat(32) } }, '--sign-type'],
    [
      'TRADESTATE_SIGN_TYPE=KEY',
      { argv: [], env: { TRADESTATE_SIGN_TYPE: KEY, TRADESTATE_KEY: 'k'.repeat(32) } },
      'TRADESTATE_SIGN_TYPE',
    ],
  ])('a bad sign type (%s) is refused without repeating it', async (_label, typo, source) => {
    const result = await runCli([...WATCH, ...typo.argv], { env: { ...env, ...typo.env } });
    expect(result.code).toBe(EXIT_CODES.USAGE);
    expect(result.stderr).toContain(`${source} must be MD5 or HMAC-SHA256`);
    expectNoSecret(result);
  });

  it('a value refused by a list of choices is not repeated', async () => {
    const result = await runCli([...WATCH, '--schedule', KEY], { env: { ...env, TRADESTATE_KEY: 'k'.repeat(32) } });
    expect(result.code).toBe(EXIT_CODES.USAGE);
    expect(result.stderr).toMatch(/option '--schedule <name>' argument is invalid\. Allowed choices are micropay/);
    expectNoSecret(result);
  });

  it.each([
    ['as the command', [KEY]],
    ['before the command', [KEY, 'watch', '--out-trade-no', 'A1']],
    ['after the options', [...WATCH, KEY]],
    ['after --key with = and a space', [...WATCH, '--key=', KEY]],
  ])('the key typed as a positional argument (%s) is not repeated', async (_label, argv) => {
    const result = await runCli(argv, { env });
    expect(result.code).toBe(EXIT_CODES.USAGE);
    expect(result.stderr).toMatch(/unknown command|too many arguments/);
    expectNoSecret(result);
  });

  it('a key typed into a flag that is quoted is still not repeated, when the key is known from --key or TRADESTATE_KEY', async () => {
    const fromEnv = await runCli([...WATCH, '--interval', KEY], { env: { ...env, TRADESTATE_KEY: KEY } });
    expect(fromEnv.code).toBe(EXIT_CODES.USAGE);
    expect(fromEnv.stderr).toMatch(/"\[redacted\]" is not a duration/);
    expectNoSecret(fromEnv);
    const fromFlag = await runCli(['watch', '--out-trade-no', 'A1', '--key', KEY, '--timeout', KEY], { env });
    expect(fromFlag.code).toBe(EXIT_CODES.USAGE);
    expectNoSecret(fromFlag);
    const glued = await runCli(['watch', '--out-trade-no', 'A1', `--key=${KEY}`, `--base-url=${KEY}`], { env });
    expect(glued.code).toBe(EXIT_CODES.USAGE);
    expect(glued.stderr).toMatch(/--base-url "\[redacted\]" is not a URL/);
    expectNoSecret(glued);
  });

  it('the error commander throws to an embedding program does not carry the value either', async () => {
    const program = createProgram({ io: { stdout: collect(), stderr: collect(), env }, exit: () => {} });
    const error = await program.parseAsync(['watch', `--keys=${KEY}`], { from: 'user' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(String((error as Error).message)).toMatch(/unknown option '--keys'/);
    expect(String((error as Error).message)).not.toContain(KEY);
  });
});

describe('tradestate sandbox never repeats its control token', () => {
  it.each([
    ['--control-tokn=TOKEN', [`--control-tokn=${TOKEN}`], {}],
    ['--port TOKEN with the token from the variable', ['--port', TOKEN], { TRADESTATE_SANDBOX_CONTROL_TOKEN: TOKEN }],
    ['--port TOKEN with the token from the flag', [`--control-token=${TOKEN}`, '--port', TOKEN], {}],
    ['a stray argument', ['--port', '0', TOKEN], {}],
  ])('%s', async (_label, argv, tokenEnv) => {
    const result = await runCli(['sandbox', ...argv], { env: tokenEnv });
    expect(result.code).toBe(EXIT_CODES.USAGE);
    expectNoSecret(result, TOKEN);
  });
});

describe('safeCommanderMessage', () => {
  it('keeps commander suggestions, which name only our own flags and commands', () => {
    expect(
      safeCommanderMessage(
        `error: unknown option '--kye=${KEY}'\n(Did you mean --key?)`,
        'commander.unknownOption',
        [],
      ),
    ).toBe("error: unknown option '--kye'\n(Did you mean --key?)");
    expect(safeCommanderMessage(`error: unknown command '${KEY}'`, 'commander.unknownCommand', ['demo', 'watch'])).toBe(
      'error: unknown command (not repeated: the commands are demo, watch)',
    );
  });

  it('falls back to saying nothing of the value when commander words a refusal in a way it does not know', () => {
    expect(safeCommanderMessage(`error: bad value ${KEY}`, 'commander.invalidArgument', [])).not.toContain(KEY);
    expect(safeCommanderMessage(`error: unknown flag ${KEY}`, 'commander.unknownOption', [])).not.toContain(KEY);
  });
});

describe('secretsOf and redact', () => {
  it('find the values of --key and --control-token in either form, and the variables, longest first', () => {
    const secrets = secretsOf(['--key', 'abcdef123', '--control-token=tok-123456', '--key-file', 'path/x'], {
      TRADESTATE_KEY: ' abcdef123456 ',
      TRADESTATE_SANDBOX_CONTROL_TOKEN: 'short',
    });
    expect(secrets).toEqual(['abcdef123456', 'tok-123456', 'abcdef123']);
    expect(redact('x abcdef123456 y abcdef123', secrets)).toBe('x [redacted] y [redacted]');
  });
});
