import type { ExitCode } from '../src/exit-codes.ts';
import { run } from '../src/program.ts';
import { collect } from './collect.ts';

/** Runs `tradestate` in-process with collected output, the given environment, and an abort controller. */
export function startCli(
  argv: readonly string[],
  options: { env?: Record<string, string | undefined>; tty?: boolean } = {},
) {
  const stdout = collect({ tty: options.tty ?? false });
  const stderr = collect();
  const controller = new AbortController();
  const exit: Promise<ExitCode> = run(argv, {
    stdout,
    stderr,
    env: options.env ?? {},
    signal: controller.signal,
  });
  return { stdout, stderr, exit, interrupt: () => controller.abort(new Error('interrupted by the test')) };
}

/** Runs `tradestate` to its end and returns its exit code and output. */
export async function runCli(
  argv: readonly string[],
  options: { env?: Record<string, string | undefined>; tty?: boolean } = {},
): Promise<{ code: ExitCode; stdout: string; stderr: string }> {
  const cli = startCli(argv, options);
  const code = await cli.exit;
  return { code, stdout: cli.stdout.text(), stderr: cli.stderr.text() };
}

/** Resolves with the collected text once `predicate` holds, polling briefly; rejects after `timeoutMs`. */
export async function waitForOutput(text: () => string, predicate: (text: string) => boolean, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  while (!predicate(text())) {
    if (Date.now() > until) throw new Error(`output never matched; got:\n${text()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return text();
}
