import { InvalidArgumentError } from '@tradestate/protocol';
import type { Command } from 'commander';
import { runDemo } from '../demo/run-demo.ts';
import { EXIT_CODES } from '../exit-codes.ts';
import type { CommandContext } from '../program.ts';

const EXAMPLES = `
What it shows: six orders on the embedded WeChat Pay sandbox, watched at once, each ending differently:
  jsapi-paid          paid after a while; polling finds it
  micropay-password   USERPAYING while the customer types the password, then SUCCESS
  micropay-declined   USERPAYING, then PAYERROR
  native-expired      NOTPAY until its deadline; the merchant closes it: CLOSED
  paid-then-refunded  SUCCESS, then REFUND (the watch follows refunds)
  notified-first      the payment notification arrives before the first query: 0 queries

Examples:
  $ tradestate demo
  $ tradestate demo --speed 5       # story time 5x faster (slower than the default 10x)
  $ tradestate demo | cat           # plain lines instead of the live view

Exit code 0 only when every order ended as its script said, 130 when interrupted, else 1.`;

/**
 * Registers `tradestate demo`: the main job on the embedded sandbox, exit 0 only when every order ended as
 * scripted.
 *
 * @example
 * ```ts
 * registerDemoCommand(new Command('tradestate'), context);
 * ```
 */
export function registerDemoCommand(program: Command, context: CommandContext): void {
  program
    .command('demo')
    .description('watch a handful of sandbox orders to their ends, live')
    .option('--speed <factor>', 'how much faster than real time the story runs', '10')
    .option('--verbose', "log the sandbox's events (orders, state changes, notifications) to stderr")
    .addHelpText('after', EXAMPLES)
    .action(async (flags: { speed: string; verbose?: boolean }) => {
      const speed = Number(flags.speed);
      if (!Number.isFinite(speed) || speed < 1 || speed > 1000) {
        throw new InvalidArgumentError(`--speed "${flags.speed}" must be a number from 1 to 1000`);
      }
      const { io } = context;
      const log = flags.verbose === true ? (line: string) => io.stderr.write(`sandbox: ${line}\n`) : undefined;
      const { ok } = await runDemo({ stdout: io.stdout, scale: 1 / speed, signal: io.signal, log });
      if (io.signal?.aborted === true) context.exit(EXIT_CODES.CANCELLED);
      else context.exit(ok ? EXIT_CODES.PAID : EXIT_CODES.ERROR);
    });
}
