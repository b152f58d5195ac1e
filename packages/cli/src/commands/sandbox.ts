import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError } from '@tradestate/protocol';
import { defaultMerchant, type SandboxV3Credentials, startSandbox } from '@tradestate/sandbox';
import { type Command, Option } from 'commander';
import { EXIT_CODES } from '../exit-codes.ts';
import type { CommandContext } from '../program.ts';

const EXAMPLES = `
Examples:
  $ tradestate sandbox --port 8080
  $ tradestate sandbox --port 0 --json            # a free port; one JSON line with url and credentials
  $ tradestate sandbox --time-scale 0.1           # order scripts and notification retries 10x faster
  $ TRADESTATE_SANDBOX_CONTROL_TOKEN=$(openssl rand -hex 16) tradestate sandbox   # control API needs the token

Then, in another shell:
  $ curl -s 127.0.0.1:8080/sandbox/orders -H 'content-type: application/json' \\
      -d '{"outTradeNo":"A1","totalFee":1,"tradeType":"NATIVE","script":[{"afterMs":5000,"tradeState":"SUCCESS"}]}'
  $ TRADESTATE_APPID=wxd930ea5d5a258f4f TRADESTATE_MCH_ID=10000100 \\
    TRADESTATE_KEY=192006250b4c09247ec02edce69f6a2d \\
      tradestate watch --base-url http://127.0.0.1:8080 --out-trade-no A1

The control API answers only requests that name it by address (127.0.0.1:port, localhost:port) and, except
GET, send Content-Type: application/json: a web page on another site can neither post to it nor reach it
through its own domain. With a control token, add -H "authorization: Bearer $TRADESTATE_SANDBOX_CONTROL_TOKEN".

APIv3: --v3-keys-dir DIR writes the sandbox's generated keys there (private ones chmod 600) and prints the
TRADESTATE_* variables that point \`tradestate watch --api v3\` at them; key material is never printed.`;

/**
 * The environment variable `tradestate sandbox` reads the control API's token from, when `--control-token` is
 * not given.
 *
 * @example
 * ```sh
 * TRADESTATE_SANDBOX_CONTROL_TOKEN=$(openssl rand -hex 16) tradestate sandbox
 * ```
 */
export const SANDBOX_CONTROL_TOKEN_ENV = 'TRADESTATE_SANDBOX_CONTROL_TOKEN';

interface SandboxFlags {
  readonly port: string;
  readonly host: string;
  readonly timeScale?: string | undefined;
  readonly seed?: string | undefined;
  readonly json?: boolean | undefined;
  readonly quiet?: boolean | undefined;
  readonly controlToken?: string | undefined;
  readonly v3KeysDir?: string | undefined;
}

/** Where {@link writeV3Keys} put the sandbox's APIv3 keys, and the ids that go with them. */
interface V3KeyFiles {
  readonly serialNo: string;
  readonly platformPublicKeyId: string;
  readonly privateKeyFile: string;
  readonly platformPublicKeyFile: string;
  readonly apiV3KeyFile: string;
}

/** Writes the generated APIv3 keys as files a v3 client reads: the merchant's private key and APIv3 key 0600. */
function writeV3Keys(dir: string, v3: SandboxV3Credentials): V3KeyFiles {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  const write = (name: string, text: string, mode: number) => {
    const path = join(root, name);
    writeFileSync(path, text, { mode });
    chmodSync(path, mode);
    return path;
  };
  return {
    serialNo: v3.serialNo,
    platformPublicKeyId: v3.platformPublicKeyId,
    privateKeyFile: write('apiclient_key.pem', v3.privateKey, 0o600),
    platformPublicKeyFile: write('pub_key.pem', v3.platformPublicKey, 0o644),
    apiV3KeyFile: write('apiv3_key', v3.apiV3Key, 0o600),
  };
}

function parseNumber(text: string, what: string, check: (n: number) => boolean): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !check(n))
    throw new InvalidArgumentError(`${what} "${text}" is not valid`);
  return n;
}

/**
 * Registers `tradestate sandbox`: the WeChat Pay simulator as a server until interrupted, printing its URL and
 * the (public, documentation) credentials of its default merchant.
 *
 * @example
 * ```ts
 * registerSandboxCommand(new Command('tradestate'), context);
 * ```
 */
export function registerSandboxCommand(program: Command, context: CommandContext): void {
  program
    .command('sandbox')
    .description('run the local WeChat Pay simulator (orderquery, closeorder, reverse, and a JSON control API)')
    .addOption(new Option('-p, --port <port>', 'port to listen on (0: any free port)').default('8080'))
    .addOption(new Option('--host <host>', 'interface to listen on').default('127.0.0.1'))
    .option('--time-scale <factor>', 'multiply script delays and notification retry waits (0.1 = 10x faster)')
    .option('--seed <n>', 'seed of the fault injection, so a run repeats')
    .option('--json', 'print one JSON line with the URL and credentials instead of the text')
    .option('--quiet', 'do not log state changes and notifications to stderr')
    .option(
      '--control-token <token>',
      `require "Authorization: Bearer <token>" on the control API (${SANDBOX_CONTROL_TOKEN_ENV})`,
    )
    .option('--v3-keys-dir <dir>', 'write the APIv3 keys there, for tradestate watch --api v3')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: SandboxFlags) => {
      const { io } = context;
      const port = parseNumber(flags.port, '--port', (n) => Number.isInteger(n) && n >= 0 && n < 65536);
      const timeScale =
        flags.timeScale === undefined ? undefined : parseNumber(flags.timeScale, '--time-scale', (n) => n > 0);
      const seed = flags.seed === undefined ? undefined : parseNumber(flags.seed, '--seed', Number.isInteger);
      const logger = flags.quiet === true ? undefined : (line: string) => io.stderr.write(`sandbox: ${line}\n`);
      const token = flags.controlToken ?? io.env[SANDBOX_CONTROL_TOKEN_ENV];
      const controlToken = token === undefined || token === '' ? undefined : token;
      const sandbox = await startSandbox({ port, host: flags.host, timeScale, seed, logger, controlToken });
      const merchant = defaultMerchant;
      const v3 =
        flags.v3KeysDir === undefined || sandbox.v3 === undefined
          ? undefined
          : writeV3Keys(flags.v3KeysDir, sandbox.v3);
      if (flags.json === true) {
        const line = { url: sandbox.url, appId: merchant.appId, mchId: merchant.mchId, key: merchant.key };
        io.stdout.write(`${JSON.stringify(v3 === undefined ? line : { ...line, v3 })}\n`);
      } else {
        io.stdout.write(
          [
            `WeChat Pay sandbox listening on ${sandbox.url}`,
            `  appid   ${merchant.appId}`,
            `  mch_id  ${merchant.mchId}`,
            `  key     ${merchant.key}   (WeChat's public documentation key: for the sandbox only)`,
            `  control ${sandbox.url}/sandbox/  (JSON: create orders, set states, faults, counters)`,
            ...(controlToken === undefined ? [] : ['          with "Authorization: Bearer <your control token>"']),
            ...(v3 === undefined
              ? []
              : [
                  `  APIv3   keys in ${resolve(flags.v3KeysDir ?? '.')}; for tradestate watch --api v3:`,
                  `    export TRADESTATE_API=v3 TRADESTATE_SERIAL_NO=${v3.serialNo} \\`,
                  `      TRADESTATE_PRIVATE_KEY_FILE=${v3.privateKeyFile} \\`,
                  `      TRADESTATE_PLATFORM_PUBLIC_KEY_FILE=${v3.platformPublicKeyFile} \\`,
                  `      TRADESTATE_PLATFORM_PUBLIC_KEY_ID=${v3.platformPublicKeyId}`,
                ]),
            'Press Ctrl-C to stop.',
            '',
          ].join('\n'),
        );
      }
      await new Promise<void>((resolve) => {
        if (io.signal === undefined) return;
        if (io.signal.aborted) resolve();
        else io.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await sandbox.close();
      if (flags.json !== true) io.stdout.write('sandbox stopped\n');
      context.exit(EXIT_CODES.PAID);
    });
}
