import { readFileSync, statSync } from 'node:fs';
import { InvalidArgumentError, type SignType } from '@tradestate/protocol';
import { parseDuration } from './duration.ts';

/**
 * The merchant flags `tradestate watch` accepts, as commander parses them. Each has an environment variable;
 * a flag wins over its variable.
 *
 * @example
 * ```ts
 * const flags: MerchantFlags = { mchId: '10000100', keyFile: '/run/secrets/wechatpay-key' };
 * ```
 */
export interface MerchantFlags {
  readonly appid?: string | undefined;
  readonly mchId?: string | undefined;
  readonly subAppid?: string | undefined;
  readonly subMchId?: string | undefined;
  readonly signType?: string | undefined;
  readonly keyFile?: string | undefined;
  readonly key?: string | undefined;
  readonly baseUrl?: string | undefined;
  readonly timeout?: string | undefined;
}

/**
 * The environment variables read for the merchant configuration.
 *
 * @example
 * ```sh
 * export TRADESTATE_APPID=wxd930ea5d5a258f4f TRADESTATE_MCH_ID=10000100 TRADESTATE_KEY_FILE=~/.wechatpay-key
 * ```
 */
export const CONFIG_ENV = {
  appId: 'TRADESTATE_APPID',
  mchId: 'TRADESTATE_MCH_ID',
  subAppId: 'TRADESTATE_SUB_APPID',
  subMchId: 'TRADESTATE_SUB_MCH_ID',
  signType: 'TRADESTATE_SIGN_TYPE',
  key: 'TRADESTATE_KEY',
  keyFile: 'TRADESTATE_KEY_FILE',
  baseURL: 'TRADESTATE_BASE_URL',
  timeout: 'TRADESTATE_TIMEOUT',
} as const;

/**
 * What `createPayClient` needs, resolved from flags, environment and key file.
 *
 * @example
 * ```ts
 * const client = createPayClient(resolveMerchantConfig(flags, process.env).merchant);
 * ```
 */
export interface MerchantConfig {
  readonly appId: string;
  readonly mchId: string;
  readonly key: string;
  readonly subAppId?: string | undefined;
  readonly subMchId?: string | undefined;
  readonly signType: SignType;
  readonly baseURL?: string | undefined;
  readonly timeoutMs?: number | undefined;
}

/**
 * A resolved configuration, where the key came from (`--key-file`, `TRADESTATE_KEY_FILE`, `--key` or
 * `TRADESTATE_KEY`: a name, never a value), and warnings for the user (never containing the key).
 *
 * @example
 * ```ts
 * const { merchant, keySource, warnings } = resolveMerchantConfig(flags, process.env);
 * ```
 */
export interface ResolvedMerchantConfig {
  readonly merchant: MerchantConfig;
  readonly keySource: string;
  readonly warnings: readonly string[];
}

/**
 * Reads a key file; injectable so tests need no real files for the error paths. It may throw anything: the
 * message shown names the flag or variable the path came from, never the path, which may be the key itself
 * (`--key-file K` for `--key K`).
 */
export type KeyFileReader = (path: string) => { readonly text: string; readonly mode: number };

const readKeyFileFromDisk: KeyFileReader = (path) => ({ text: readFileSync(path, 'utf8'), mode: statSync(path).mode });

/** A setting's value and where it came from: the flag's name, or the variable's. */
interface Setting {
  readonly value: string;
  readonly source: string;
}

function pickSetting(
  flag: string | undefined,
  flagName: string,
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): Setting | undefined {
  const fromFlag = flag === undefined || flag.trim() === '' ? undefined : flag.trim();
  if (fromFlag !== undefined) return { value: fromFlag, source: flagName };
  const fromEnv = env[name]?.trim();
  return fromEnv === undefined || fromEnv === '' ? undefined : { value: fromEnv, source: name };
}

function pick(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  return pickSetting(flag, name, env, name)?.value;
}

function required(value: string | undefined, what: string, flag: string, envName: string): string {
  if (value === undefined) throw new InvalidArgumentError(`missing ${what}: pass ${flag} or set ${envName}`);
  return value;
}

function readKeyFileAt(setting: Setting, readKeyFile: KeyFileReader): { text: string; mode: number } {
  try {
    return readKeyFile(setting.value);
  } catch (err) {
    // Only the errno code is kept: the error itself (and so any `cause`) quotes the path.
    const reason = (err as NodeJS.ErrnoException | undefined)?.code ?? 'unreadable';
    throw new InvalidArgumentError(
      `cannot read the key file named by ${setting.source} (${reason}); the path is not repeated, in case it is ` +
        `the key itself: ${setting.source} takes a path, ${CONFIG_ENV.key} takes the key`,
    );
  }
}

function readKey(
  flags: MerchantFlags,
  env: Readonly<Record<string, string | undefined>>,
  readKeyFile: KeyFileReader,
  warnings: string[],
): { key: string; source: string } {
  const keyFile = pickSetting(flags.keyFile, '--key-file', env, CONFIG_ENV.keyFile);
  if (keyFile !== undefined) {
    const { text, mode } = readKeyFileAt(keyFile, readKeyFile);
    // A trailing newline is what editors and `echo` leave; anything else inside is a wrong file.
    const key = text.trim();
    if (key === '' || /\s/.test(key)) {
      throw new InvalidArgumentError(`the key file named by ${keyFile.source} does not hold one key`);
    }
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      warnings.push(`the key file named by ${keyFile.source} is readable by other users: chmod 600 it`);
    }
    return { key, source: keyFile.source };
  }
  if (flags.key !== undefined && flags.key !== '') {
    warnings.push(
      '--key puts the API key in your shell history and the process list: prefer TRADESTATE_KEY or --key-file',
    );
    return { key: flags.key, source: '--key' };
  }
  const fromEnv = env[CONFIG_ENV.key];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { key: fromEnv.trim(), source: CONFIG_ENV.key };
  throw new InvalidArgumentError(
    `missing API key: set ${CONFIG_ENV.key}, or pass --key-file (or set ${CONFIG_ENV.keyFile})`,
  );
}

function readSignType(setting: Setting | undefined): SignType {
  if (setting === undefined) return 'MD5';
  const upper = setting.value.toUpperCase();
  if (upper === 'MD5' || upper === 'HMAC-SHA256') return upper;
  // Not quoted: a sign type mistyped in a script is as likely to be the key next to it as a misspelling.
  throw new InvalidArgumentError(`${setting.source} must be MD5 or HMAC-SHA256 (the value given is not repeated)`);
}

function readBaseURL(setting: Setting | undefined): string | undefined {
  if (setting === undefined) return undefined;
  const { value, source } = setting;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`${source} "${value}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidArgumentError(`${source} "${value}" is neither http nor https`);
  }
  return value.replace(/\/+$/, '');
}

/**
 * Resolves the merchant configuration: each flag, else its environment variable ({@link CONFIG_ENV}). The key
 * comes from `--key-file`/`TRADESTATE_KEY_FILE`, else `--key` (with a warning: a flag lands in shell history),
 * else `TRADESTATE_KEY`. Nothing here ever puts the key in a message, nor any value that may be the key typed in
 * the wrong place: the key file's path and the sign type are named by their flag or variable, never quoted.
 *
 * @throws {InvalidArgumentError} when something required is missing or malformed.
 * @example
 * ```ts
 * const { merchant } = resolveMerchantConfig({ mchId: '10000100' }, { TRADESTATE_APPID: 'wx…', TRADESTATE_KEY: '…' });
 * ```
 */
export function resolveMerchantConfig(
  flags: MerchantFlags,
  env: Readonly<Record<string, string | undefined>>,
  readKeyFile: KeyFileReader = readKeyFileFromDisk,
): ResolvedMerchantConfig {
  const warnings: string[] = [];
  const appId = required(pick(flags.appid, env, CONFIG_ENV.appId), 'app id', '--appid', CONFIG_ENV.appId);
  const mchId = required(pick(flags.mchId, env, CONFIG_ENV.mchId), 'merchant id', '--mch-id', CONFIG_ENV.mchId);
  const { key, source } = readKey(flags, env, readKeyFile, warnings);
  const timeout = pick(flags.timeout, env, CONFIG_ENV.timeout);
  const merchant: MerchantConfig = {
    appId,
    mchId,
    key,
    subAppId: pick(flags.subAppid, env, CONFIG_ENV.subAppId),
    subMchId: pick(flags.subMchId, env, CONFIG_ENV.subMchId),
    signType: readSignType(pickSetting(flags.signType, '--sign-type', env, CONFIG_ENV.signType)),
    baseURL: readBaseURL(pickSetting(flags.baseUrl, '--base-url', env, CONFIG_ENV.baseURL)),
    timeoutMs: timeout === undefined ? undefined : parseDuration(timeout),
  };
  return { merchant, keySource: source, warnings };
}
