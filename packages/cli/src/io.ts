/**
 * A stream the CLI writes to: `process.stdout`/`process.stderr`, or any writable a test collects.
 * `isTTY` decides between the live view (redrawn in place) and plain lines.
 *
 * @example
 * ```ts
 * const out: OutputStream = process.stdout;
 * ```
 */
export type OutputStream = NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };

/**
 * Everything a command touches outside itself, so the whole CLI runs in-process in tests.
 *
 * @example
 * ```ts
 * const code = await run(['watch', '--out-trade-no', 'A1'], { ...processIo(), env: { ...process.env, TRADESTATE_KEY_FILE: './key' } });
 * ```
 */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Environment variables the configuration is read from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted when the user interrupts (Ctrl-C): commands stop watching and exit with `CANCELLED`. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * The real process: its streams and environment, and a signal aborted on SIGINT or SIGTERM, or when the reader of
 * the output goes away (EPIPE). A second interrupt is left to Node's default handling, so a stuck process can still
 * be killed.
 *
 * @example
 * ```ts
 * process.exitCode = await run(process.argv.slice(2), processIo());
 * ```
 */
export function processIo(): CliIo {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // `tradestate watch --json | head -1`: when the reader goes away, stop watching instead of crashing on EPIPE.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      controller.abort(new Error('output closed'));
    });
  }
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal };
}
