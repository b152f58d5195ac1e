import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '@tradestate/protocol';
import { validateFaults } from './faults.ts';
import { defaultMerchant } from './merchants.ts';
import { startSandbox } from './server.ts';
import type { FaultRates, MerchantConfig, Sandbox, SandboxOptions } from './types.ts';

/**
 * Usage text of the `tradestate-sandbox` command.
 *
 * @example
 * ```ts
 * console.log(CLI_USAGE);
 * ```
 */
export const CLI_USAGE = `Usage: tradestate-sandbox [options]

A local WeChat Pay v2 simulator (orderquery, closeorder, reverse, notifications, faults).

Options:
  --port <n>              port to listen on (default 8080; 0 picks a free one)
  --host <addr>           address to bind (default 127.0.0.1)
  --seed <n>              seed of fault draws and generated ids (default 1)
  --time-scale <x>        multiplies script delays and notification retries (default 1)
  --faults <json>         fault rates, e.g. '{"systemError":0.05,"latency":0.1,"latencyMs":800}'
  --merchant <a:m:k>      appid:mch_id:key of a merchant (repeatable; replaces the default one)
  --control-token <t>     require Authorization: Bearer <t> on the control API
                          (or set TRADESTATE_SANDBOX_CONTROL_TOKEN)
  --quiet                 do not log events
  -h, --help              show this help

Control API (JSON): POST /sandbox/orders, POST /sandbox/orders/:outTradeNo/state,
GET /sandbox/orders[/:outTradeNo], PUT /sandbox/faults, GET|DELETE /sandbox/counters.
Requests must name the sandbox by address (127.0.0.1:port or localhost:port) and send
Content-Type: application/json; other sites' pages are refused.`;

/**
 * The environment variable `tradestate-sandbox` reads the control token from when `--control-token` is not given.
 *
 * @example
 * ```sh
 * TRADESTATE_SANDBOX_CONTROL_TOKEN=$(openssl rand -hex 16) tradestate-sandbox
 * ```
 */
export const CONTROL_TOKEN_ENV = 'TRADESTATE_SANDBOX_CONTROL_TOKEN';

function number(value: string | undefined, name: string, check: (n: number) => boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !check(n)) throw new InvalidArgumentError(`--${name} ${value} is not valid`);
  return n;
}

function merchant(value: string): MerchantConfig {
  const [appId, mchId, key, extra] = value.split(':');
  if (!appId || !mchId || !key || extra !== undefined) {
    throw new InvalidArgumentError('--merchant must be appid:mch_id:key');
  }
  return { appId, mchId, key };
}

function faults(value: string | undefined): FaultRates | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError('--faults must be a JSON object of rates');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError('--faults must be a JSON object of rates');
  }
  return validateFaults(parsed as FaultRates);
}

/**
 * Reads the command line of `tradestate-sandbox` into {@link SandboxOptions}; `undefined` means `--help`. The
 * control token comes from `--control-token`, else `env`'s `TRADESTATE_SANDBOX_CONTROL_TOKEN`.
 * Throws `InvalidArgumentError` on anything it cannot use, never quoting a stray argument.
 *
 * @example
 * ```ts
 * parseCliArgs(['--port', '9000', '--time-scale', '0.01']); // { port: 9000, timeScale: 0.01, ... }
 * ```
 */
export function parseCliArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): (SandboxOptions & { quiet: boolean }) | undefined {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (err) {
    // parseArgs quotes a stray argument, which may be a key or the control token typed in the wrong place.
    if ((err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new InvalidArgumentError('unexpected argument (not repeated): every option is --name value');
    }
    throw new InvalidArgumentError((err as Error).message);
  }
  if (values.help) return undefined;
  const merchants = values.merchant?.map(merchant);
  const options: SandboxOptions & { quiet: boolean } = {
    port: number(values.port, 'port', (n) => Number.isInteger(n) && n >= 0 && n < 65536) ?? 8080,
    host: values.host ?? '127.0.0.1',
    quiet: values.quiet ?? false,
  };
  const seed = number(values.seed, 'seed', Number.isInteger);
  const timeScale = number(values['time-scale'], 'time-scale', (n) => Number.isFinite(n) && n >= 0);
  const rates = faults(values.faults);
  const controlToken = values['control-token'] ?? env[CONTROL_TOKEN_ENV];
  return {
    ...options,
    ...(controlToken === undefined || controlToken === '' ? {} : { controlToken }),
    ...(seed === undefined ? {} : { seed }),
    ...(timeScale === undefined ? {} : { timeScale }),
    ...(rates === undefined ? {} : { faults: rates }),
    ...(merchants === undefined ? {} : { merchants }),
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      'time-scale': { type: 'string' },
      faults: { type: 'string' },
      merchant: { type: 'string', multiple: true },
      'control-token': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/**
 * Starts a sandbox from command-line arguments and prints its URL and credentials to `print`. Only the public
 * example key of WeChat's documentation is ever printed; keys given with `--merchant` are not, nor is the
 * control token.
 * Returns undefined after printing the usage for `--help`.
 *
 * @example
 * ```ts
 * const sandbox = await runCli(['--port', '0'], console.log);
 * await sandbox?.close();
 * ```
 */
export async function runCli(
  argv: readonly string[],
  print: (line: string) => void,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Sandbox | undefined> {
  const options = parseCliArgs(argv, env);
  if (options === undefined) {
    print(CLI_USAGE);
    return undefined;
  }
  const { quiet, ...sandboxOptions } = options;
  const sandbox = await startSandbox({
    ...sandboxOptions,
    ...(quiet ? {} : { logger: (line: string) => print(`${new Date().toISOString()} ${line}`) }),
  });
  print(`tradestate sandbox listening on ${sandbox.url}`);
  for (const m of options.merchants ?? [defaultMerchant]) {
    const isPublicKey = m.mchId === defaultMerchant.mchId && m.key === defaultMerchant.key;
    print(
      `  merchant appid=${m.appId} mch_id=${m.mchId} key=${isPublicKey ? `${m.key} (WeChat's public example key)` : '(as given)'}`,
    );
  }
  print(`  query:   POST ${sandbox.url}/pay/orderquery (signed XML, MD5 or HMAC-SHA256)`);
  print(
    `  control: POST ${sandbox.url}/sandbox/orders -H 'content-type: application/json'` +
      `${options.controlToken === undefined ? '' : " -H 'authorization: Bearer <your token>'"}` +
      ` {"outTradeNo":"A1","totalFee":1,"tradeType":"NATIVE"}`,
  );
  return sandbox;
}
