#!/usr/bin/env node
import { InvalidArgumentError } from '@tradestate/protocol';
import { CLI_USAGE, runCli } from './cli.ts';

// The command-line entry: `tradestate-sandbox --port 8080`. Runs until SIGINT/SIGTERM, then closes cleanly.
async function main(): Promise<void> {
  const sandbox = await runCli(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
  if (sandbox === undefined) return;
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(
    err instanceof InvalidArgumentError ? `${err.message}\n\n${CLI_USAGE}\n` : `${(err as Error).message}\n`,
  );
  process.exit(err instanceof InvalidArgumentError ? 2 : 1);
});
