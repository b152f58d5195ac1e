import { SANDBOX_CONTROL_TOKEN_ENV } from './commands/sandbox.ts';
import { CONFIG_ENV } from './config.ts';

/** Flags whose value is a secret, and the variables that hold one. */
const SECRET_FLAGS = ['--key', '--control-token'] as const;
const SECRET_ENV = [CONFIG_ENV.key, SANDBOX_CONTROL_TOKEN_ENV] as const;

/** Shorter values are not looked for: replacing every "a" of a message would say nothing and hide much. */
const MIN_SECRET_LENGTH = 6;

/**
 * The secrets a command line carries: the values of `--key` and `--control-token` (`--key K` or `--key=K`) and
 * of `TRADESTATE_KEY` and `TRADESTATE_SANDBOX_CONTROL_TOKEN`. The CLI's messages are built never to quote them;
 * this list is the second line, for a secret typed where another value was expected.
 *
 * @example
 * ```ts
 * secretsOf(['watch', '--key=abc123def'], {}); // ['abc123def']
 * ```
 */
export function secretsOf(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): string[] {
  const found: string[] = [];
  for (const [i, arg] of argv.entries()) {
    for (const flag of SECRET_FLAGS) {
      if (arg === flag) found.push(argv[i + 1] ?? '');
      else if (arg.startsWith(`${flag}=`)) found.push(arg.slice(flag.length + 1));
    }
  }
  for (const name of SECRET_ENV) found.push(env[name] ?? '');
  // Trimmed, as every setting is before it is used or quoted.
  const usable = found.map((value) => value.trim()).filter((value) => value.length >= MIN_SECRET_LENGTH);
  // Longest first, so a secret containing another is replaced whole.
  return [...new Set(usable)].sort((a, b) => b.length - a.length);
}

/**
 * `text` with every occurrence of each secret replaced by `[redacted]`.
 *
 * @example
 * ```ts
 * redact('"abc123def" is not a duration', ['abc123def']); // '"[redacted]" is not a duration'
 * ```
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.replaceAll(secret, '[redacted]');
  return out;
}
