import { InvalidArgumentError, TradestateError } from '@tradestate/protocol';
import { type Command, CommanderError } from 'commander';
import { registerDemoCommand } from './commands/demo.ts';
import { registerSandboxCommand } from './commands/sandbox.ts';
import { registerWatchCommand } from './commands/watch.ts';
import { EXIT_CODES, type ExitCode } from './exit-codes.ts';
import { type CliIo, processIo } from './io.ts';
import { redact, secretsOf } from './redact.ts';
import { SafeCommand } from './safe-command.ts';

/**
 * What each command receives: the process's streams and environment, and a way to set the exit code.
 *
 * @example
 * ```ts
 * const context: CommandContext = { io: processIo(), exit: (code) => { process.exitCode = code; } };
 * ```
 */
export interface CommandContext {
  readonly io: CliIo;
  exit(code: ExitCode): void;
}

const EXIT_CODE_HELP = `
Exit codes:
  0    paid (watch) · every order ended as scripted (demo) · stopped cleanly (sandbox)
  1    an error asking again will not fix, or a demo order that ended otherwise than scripted
  2    bad flags or configuration: nothing was queried
  3    ended unpaid: CLOSED, REVOKED or PAYERROR
  4    not found: WeChat does not know the order
  5    deadline reached with the order still open (NOTPAY, USERPAYING)
  6    refunded
  7    deadline reached without a single verified answer: nothing is known of the order
  130  interrupted (Ctrl-C)`;

/**
 * Builds the `tradestate` command tree. Errors and help go to the context's streams, and commander never exits
 * the process itself, so the program runs in-process in tests. Its errors never repeat a value the user typed
 * (an unknown option is named without its `=value`, an unknown command not at all): any may be the API key.
 *
 * @example
 * ```ts
 * await createProgram({ io: processIo(), exit: (code) => { process.exitCode = code; } }).parseAsync(process.argv);
 * ```
 */
export function createProgram(context: CommandContext): Command {
  const { io } = context;
  const program = new SafeCommand('tradestate')
    .description('Watch a WeChat Pay order to its end, reliably and cheaply.')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODE_HELP);
  registerDemoCommand(program, context);
  registerWatchCommand(program, context);
  registerSandboxCommand(program, context);
  return program;
}

function describe(err: unknown): string {
  if (err instanceof TradestateError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * Runs `tradestate` with arguments as the user typed them (without `node` and the script) and resolves to the
 * exit code. Never calls `process.exit`, and never writes the API key or the sandbox's control token, however
 * the flags are mistyped.
 *
 * @example
 * ```ts
 * process.exitCode = await run(process.argv.slice(2));
 * ```
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT_CODES.PAID;
  const program = createProgram({
    io,
    exit: (code) => {
      exitCode = code;
    },
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_CODES.PAID : EXIT_CODES.USAGE;
    // Messages quote values only of flags that cannot hold a secret; should a secret have been typed into one,
    // it is still not repeated.
    io.stderr.write(`tradestate: ${redact(describe(err), secretsOf(argv, io.env))}\n`);
    return err instanceof InvalidArgumentError ? EXIT_CODES.USAGE : EXIT_CODES.ERROR;
  }
  return exitCode;
}
