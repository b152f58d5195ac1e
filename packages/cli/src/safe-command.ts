import { Command, type ErrorOptions } from 'commander';

// commander quotes what the user typed in three of its errors: an unknown option with its `=value`, an unknown
// command word, and a value it refused. Any of them may be the API key typed in the wrong place, so each is
// rewritten to name only what is ours (our option flags, our command names, commander's suggestion among them).

/** The longest flag name repeated back; a longer one is likely a flag glued to its value (`--key1920…`). */
const MAX_NAMED_FLAG = 24;
const FLAG_NAME = /^--?[A-Za-z][A-Za-z0-9_-]*$/;

const UNKNOWN_OPTION = /^error: unknown option '([\s\S]*?)'(\n\(Did you mean [^\n]*\?\))?$/;
const UNKNOWN_COMMAND = /^error: unknown command '[\s\S]*?'(\n\(Did you mean [^\n]*\?\))?$/;
const INVALID_OPTION_VALUE = /^error: option '([^']+)' argument '[\s\S]*' is invalid\.([\s\S]*)$/;
const INVALID_ENV_VALUE = /^error: option '([^']+)' value '[\s\S]*' from env '([^']+)' is invalid\.([\s\S]*)$/;
const INVALID_ARGUMENT = /^error: command-argument value '[\s\S]*' is invalid for argument '([^']+)'\.([\s\S]*)$/;

/** `--keys=K` → `--keys`, `-kK` → `-k`; undefined when even the name could be a value. */
function flagName(flag: string): string | undefined {
  const name = flag.startsWith('--') ? flag.split('=', 1)[0] : flag.slice(0, 2);
  return name !== undefined && name.length <= MAX_NAMED_FLAG && FLAG_NAME.test(name) ? name : undefined;
}

function unknownOption(message: string): string {
  const match = UNKNOWN_OPTION.exec(message);
  const name = match?.[1] === undefined ? undefined : flagName(match[1]);
  const suggestion = match?.[2] ?? '';
  if (name === undefined) return `error: unknown option (not repeated: it may hold a value)${suggestion}`;
  return `error: unknown option '${name}'${suggestion}`;
}

function unknownCommand(message: string, commands: readonly string[]): string {
  const suggestion = UNKNOWN_COMMAND.exec(message)?.[2] ?? '';
  return `error: unknown command (not repeated: the commands are ${commands.join(', ')})${suggestion}`;
}

function invalidValue(message: string): string {
  const option = INVALID_OPTION_VALUE.exec(message);
  if (option !== null) return `error: option '${option[1]}' argument is invalid.${option[2]}`;
  const env = INVALID_ENV_VALUE.exec(message);
  if (env !== null) return `error: option '${env[1]}' from env '${env[2]}' is invalid.${env[3]}`;
  const argument = INVALID_ARGUMENT.exec(message);
  if (argument !== null) return `error: argument '${argument[1]}' is invalid.${argument[2]}`;
  return 'error: a value given is invalid (not repeated)';
}

/**
 * The message commander would print, without anything the user typed that may be a secret.
 *
 * @example
 * ```ts
 * safeCommanderMessage("error: unknown option '--keys=K'", 'commander.unknownOption', []); // "error: unknown option '--keys'"
 * ```
 */
export function safeCommanderMessage(message: string, code: string | undefined, commands: readonly string[]): string {
  switch (code) {
    case 'commander.unknownOption':
      return unknownOption(message);
    case 'commander.unknownCommand':
      return unknownCommand(message, commands);
    case 'commander.invalidArgument':
      return invalidValue(message);
    default:
      return message;
  }
}

/**
 * A commander `Command` whose errors, printed and thrown, never repeat a value the user typed: unknown options
 * are named without their value, unknown commands not at all, refused values not at all. Subcommands made with
 * `.command()` are `SafeCommand`s too.
 *
 * @example
 * ```ts
 * const program = new SafeCommand('tradestate').exitOverride();
 * ```
 */
export class SafeCommand extends Command {
  override createCommand(name?: string): SafeCommand {
    return new SafeCommand(name);
  }

  override error(message: string, errorOptions?: ErrorOptions): never {
    const commands = this.commands.map((command) => command.name()).filter((name) => name !== 'help');
    return super.error(safeCommanderMessage(message, errorOptions?.code, commands), errorOptions);
  }
}
