import { type OrderWatch, type Schedule, schedules, watchOrder } from '@tradestate/machine';
import {
  createPayClient,
  createPayClientV3,
  InvalidArgumentError,
  type OrderQuery,
  type PayClient,
  queryIdentifier,
} from '@tradestate/protocol';
import { type Command, Option } from 'commander';
import picocolors from 'picocolors';
import { lastValueFrom, tap } from 'rxjs';
import { CONFIG_ENV, resolveMerchantConfig } from '../config.ts';
import { CONFIG_ENV_V3, type MerchantV3Flags, resolveMerchantV3Config } from '../config-v3.ts';
import { formatDuration, parseDuration } from '../duration.ts';
import { EXIT_CODES, exitCodeForEnd } from '../exit-codes.ts';
import type { CommandContext } from '../program.ts';
import { describeWatch, watchToJson } from '../render/watch-lines.ts';

const SCHEDULE_DEADLINES_MS = { micropay: 45_000, native: 60_000, backend: 7_200_000 } as const;
type ScheduleName = keyof typeof SCHEDULE_DEADLINES_MS;

const EXAMPLES = `
Configuration (a flag wins over its variable):
  ${CONFIG_ENV.appId}, ${CONFIG_ENV.mchId}, ${CONFIG_ENV.subAppId}, ${CONFIG_ENV.subMchId},
  ${CONFIG_ENV.signType}, ${CONFIG_ENV.baseURL}, ${CONFIG_ENV.timeout},
  the key from ${CONFIG_ENV.keyFile} / --key-file, else ${CONFIG_ENV.key}.
  --key works too, with a warning: a flag lands in your shell history and the process list.
  APIv3 (--api v3, or ${CONFIG_ENV_V3.api}=v3): ${CONFIG_ENV_V3.serialNo}, ${CONFIG_ENV_V3.privateKeyFile},
  ${CONFIG_ENV_V3.platformPublicKeyFile}, ${CONFIG_ENV_V3.platformPublicKeyId} (keys from files only).

Examples:
  $ export TRADESTATE_APPID=wx8888888888888888 TRADESTATE_MCH_ID=1900000109 TRADESTATE_KEY_FILE=~/.wechatpay-key
  $ tradestate watch --out-trade-no 1415757673
  $ tradestate watch --transaction-id 4200000123202611270000000001 --schedule backend --deadline 2h
  $ tradestate watch --out-trade-no A1 --base-url https://api2.mch.weixin.qq.com   # the backup host
  $ tradestate watch --out-trade-no A1 --base-url http://127.0.0.1:8080 --interval 1s --json | jq .tradeState
  $ tradestate watch --api v3 --out-trade-no A1 --serial-no 5157F09E… --private-key-file apiclient_key.pem \\
      --platform-public-key-file pub_key.pem --platform-public-key-id PUB_KEY_ID_0119000001092025

Exit codes: 0 paid, 3 ended unpaid (CLOSED/REVOKED/PAYERROR), 4 not found, 5 deadline with the order still
open, 6 refunded, 1 error, 2 bad flags or configuration, 130 interrupted.`;

interface WatchFlags extends MerchantV3Flags {
  readonly api?: string | undefined;
  readonly outTradeNo?: string | undefined;
  readonly transactionId?: string | undefined;
  readonly schedule: ScheduleName;
  readonly deadline?: string | undefined;
  readonly interval?: string | undefined;
  readonly notFoundGrace?: string | undefined;
  readonly followRefunds?: boolean | undefined;
  readonly json?: boolean | undefined;
}

/** A query every `intervalMs`, doubling (up to 8x) while retryable errors follow each other. */
function fixedInterval(intervalMs: number): Schedule {
  return (_attempt, last) =>
    last.kind === 'retryable-error' ? intervalMs * Math.min(8, 2 ** last.consecutiveErrors) : intervalMs;
}

function queryOf(flags: WatchFlags): OrderQuery {
  let query: OrderQuery;
  if (flags.outTradeNo !== undefined) query = { outTradeNo: flags.outTradeNo };
  else if (flags.transactionId !== undefined) query = { transactionId: flags.transactionId };
  else throw new InvalidArgumentError('say which order: --out-trade-no or --transaction-id');
  // Checked here so a malformed id is a usage error (exit 2), not a watch that ends in ERROR.
  queryIdentifier(query);
  return query;
}

/** The v2 client, or the APIv3 one with `--api v3` (or `TRADESTATE_API=v3`); warnings never carry a key. */
function clientOf(
  flags: WatchFlags,
  env: Readonly<Record<string, string | undefined>>,
  warn: (w: string) => void,
): PayClient {
  const api = (flags.api ?? env[CONFIG_ENV_V3.api] ?? 'v2').trim().toLowerCase();
  if (api !== 'v2' && api !== 'v3') throw new InvalidArgumentError(`--api "${api}" is neither v2 nor v3`);
  if (api === 'v3') {
    const { merchant, warnings } = resolveMerchantV3Config(flags, env);
    for (const warning of warnings) warn(warning);
    return createPayClientV3(merchant);
  }
  const { merchant, warnings } = resolveMerchantConfig(flags, env);
  for (const warning of warnings) warn(warning);
  return createPayClient(merchant);
}

/**
 * Registers `tradestate watch`: watch one real order to its end with `watchOrder`, printing each change (or one
 * JSON line per change with `--json`), and exit with a code that says how it ended.
 *
 * @example
 * ```ts
 * registerWatchCommand(new Command('tradestate'), context);
 * ```
 */
export function registerWatchCommand(program: Command, context: CommandContext): void {
  program
    .command('watch')
    .description('watch one order until it is paid, closed, or the deadline comes')
    .addOption(new Option('--out-trade-no <no>', "the merchant's order number").conflicts('transactionId'))
    .addOption(new Option('--transaction-id <id>', "WeChat's order number"))
    .addOption(
      new Option('--schedule <name>', 'how often to query: micropay (5 s, 45 s), native (2 s, 60 s), backend')
        .choices(['micropay', 'native', 'backend'])
        .default('native'),
    )
    .option('--deadline <duration>', "stop waiting after this long (e.g. 90s, 5m); default: the schedule's own")
    .addOption(
      new Option('--interval <duration>', 'query at this fixed interval instead of a preset schedule').conflicts(
        'schedule',
      ),
    )
    .option('--not-found-grace <duration>', 'how long ORDERNOTEXIST is tolerated (a new order may lag), default 30s')
    .option('--follow-refunds', 'keep watching a paid order until refunded or the deadline')
    .option('--json', 'one JSON line per change on stdout')
    .option('--appid <appid>', `app id (${CONFIG_ENV.appId})`)
    .option('--mch-id <id>', `merchant id (${CONFIG_ENV.mchId})`)
    .option('--sub-appid <appid>', `service-provider mode: sub_appid (${CONFIG_ENV.subAppId})`)
    .option('--sub-mch-id <id>', `service-provider mode: sub_mch_id (${CONFIG_ENV.subMchId})`)
    // Checked by resolveMerchantConfig, not by commander's choices, so the flag and its variable are refused
    // alike and without repeating the value.
    .option('--sign-type <type>', `MD5 or HMAC-SHA256 (${CONFIG_ENV.signType})`)
    .option('--key-file <path>', `file holding the API key (${CONFIG_ENV.keyFile})`)
    .option('--key <key>', 'the API key itself: lands in shell history, prefer the variable or --key-file')
    .option('--base-url <url>', `WeChat Pay host, a backup host or a sandbox (${CONFIG_ENV.baseURL})`)
    .option('--timeout <duration>', `total time allowed per query (${CONFIG_ENV.timeout}), default 10s`)
    .addOption(
      new Option('--api <version>', `WeChat Pay API: v2 or v3 (${CONFIG_ENV_V3.api}), default v2`).choices([
        'v2',
        'v3',
      ]),
    )
    .option('--serial-no <serial>', `v3: your API certificate's serial (${CONFIG_ENV_V3.serialNo})`)
    .option('--private-key-file <path>', `v3: apiclient_key.pem (${CONFIG_ENV_V3.privateKeyFile})`)
    .option('--platform-public-key-file <path>', `v3: WeChat Pay's public key (${CONFIG_ENV_V3.platformPublicKeyFile})`)
    .option('--platform-public-key-id <id>', `v3: its id, PUB_KEY_ID_… (${CONFIG_ENV_V3.platformPublicKeyId})`)
    .addHelpText('after', EXAMPLES)
    .action(async (flags: WatchFlags) => {
      const { io } = context;
      const query = queryOf(flags);
      const client = clientOf(flags, io.env, (warning) => io.stderr.write(`tradestate: warning: ${warning}\n`));
      const deadlineMs =
        flags.deadline === undefined ? SCHEDULE_DEADLINES_MS[flags.schedule] : parseDuration(flags.deadline);
      const schedule =
        flags.interval === undefined ? schedules[flags.schedule] : fixedInterval(parseDuration(flags.interval));
      const notFoundGraceMs = flags.notFoundGrace === undefined ? undefined : parseDuration(flags.notFoundGrace);
      const colors = picocolors.createColors(io.stdout.isTTY === true);
      const startedAt = performance.now();
      let printedState: string | undefined;
      let printedError: string | undefined;

      const report = (watch: OrderWatch) => {
        const elapsedMs = performance.now() - startedAt;
        if (flags.json === true) {
          io.stdout.write(`${JSON.stringify(watchToJson(watch, elapsedMs))}\n`);
          return;
        }
        const line = describeWatch(watch, colors);
        const errorCode = watch.done ? undefined : watch.error?.code;
        if (line.key !== printedState || (errorCode !== undefined && errorCode !== printedError)) {
          printedState = line.key;
          printedError = errorCode;
          io.stdout.write(`${colors.dim(`+${formatDuration(elapsedMs)}`.padStart(8))}  ${line.text}\n`);
        }
      };

      const last = await lastValueFrom(
        watchOrder({
          client,
          query,
          schedule,
          deadline: deadlineMs,
          notFoundGraceMs,
          followRefunds: flags.followRefunds === true,
          signal: io.signal,
        }).pipe(tap(report)),
      );
      context.exit(last.done ? exitCodeForEnd(last) : EXIT_CODES.ERROR);
    });
}
