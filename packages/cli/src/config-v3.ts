import { readFileSync, statSync } from 'node:fs';
import { InvalidArgumentError, type PayClientV3Options } from '@tradestate/protocol';
import { CONFIG_ENV, type MerchantFlags } from './config.ts';
import { parseDuration } from './duration.ts';

/**
 * The APIv3 flags of `tradestate watch --api v3`, beside the merchant flags. Each has an environment variable
 * ({@link CONFIG_ENV_V3}); a flag wins over its variable. Keys are read from files only, never from a flag value.
 *
 * @example
 * ```ts
 * const flags: MerchantV3Flags = { mchId: '1900000109', privateKeyFile: 'apiclient_key.pem' };
 * ```
 */
export interface MerchantV3Flags extends MerchantFlags {
  readonly serialNo?: string | undefined;
  readonly privateKeyFile?: string | undefined;
  readonly platformPublicKeyFile?: string | undefined;
  readonly platformPublicKeyId?: string | undefined;
  readonly apiv3KeyFile?: string | undefined;
}

/**
 * The environment variables of APIv3 (and `TRADESTATE_API`, which picks the protocol).
 *
 * @example
 * ```sh
 * export TRADESTATE_API=v3 TRADESTATE_SERIAL_NO=5157F09E… TRADESTATE_PRIVATE_KEY_FILE=~/.wechatpay/apiclient_key.pem
 * ```
 */
export const CONFIG_ENV_V3 = {
  api: 'TRADESTATE_API',
  serialNo: 'TRADESTATE_SERIAL_NO',
  privateKeyFile: 'TRADESTATE_PRIVATE_KEY_FILE',
  platformPublicKeyFile: 'TRADESTATE_PLATFORM_PUBLIC_KEY_FILE',
  platformPublicKeyId: 'TRADESTATE_PLATFORM_PUBLIC_KEY_ID',
  apiV3KeyFile: 'TRADESTATE_APIV3_KEY_FILE',
} as const;

/** Reads a file of key material; injectable so tests need no real files for the error paths. */
export type SecretFileReader = (path: string) => { readonly text: string; readonly mode: number };

const readFromDisk: SecretFileReader = (path) => {
  try {
    return { text: readFileSync(path, 'utf8'), mode: statSync(path).mode };
  } catch (err) {
    // The path is the user's own input; the file's content is never part of a message.
    throw new InvalidArgumentError(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
};

type Env = Readonly<Record<string, string | undefined>>;

function pick(flag: string | undefined, env: Env, name: string): string | undefined {
  const value = flag ?? env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function required(value: string | undefined, what: string, flag: string, envName: string): string {
  if (value === undefined) throw new InvalidArgumentError(`missing ${what}: pass ${flag} or set ${envName}`);
  return value;
}

/**
 * What `createPayClientV3` needs, resolved, and warnings for the user (never containing a key).
 *
 * @example
 * ```ts
 * const { merchant, warnings } = resolveMerchantV3Config(flags, process.env);
 * ```
 */
export interface ResolvedMerchantV3Config {
  readonly merchant: PayClientV3Options;
  readonly warnings: readonly string[];
}

/**
 * Resolves the APIv3 merchant configuration: app and merchant ids, partner ids, base URL and timeout as for v2
 * (the same flags and variables), plus the certificate serial, the merchant private key file, WeChat Pay's public
 * key file and its id, and optionally the APIv3 key file. A private key or APIv3 key file readable by other users is
 * a warning. Nothing here puts key material in a message.
 *
 * @throws {InvalidArgumentError} when something required is missing or unreadable.
 * @example
 * ```ts
 * const client = createPayClientV3(resolveMerchantV3Config(flags, process.env).merchant);
 * ```
 */
export function resolveMerchantV3Config(
  flags: MerchantV3Flags,
  env: Env,
  readFile: SecretFileReader = readFromDisk,
): ResolvedMerchantV3Config {
  const warnings: string[] = [];
  const secret = (path: string, what: string) => {
    const { text, mode } = readFile(path);
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      warnings.push(`the ${what} file ${path} is readable by other users: chmod 600 it`);
    }
    return text;
  };
  const appId = required(pick(flags.appid, env, CONFIG_ENV.appId), 'app id', '--appid', CONFIG_ENV.appId);
  const mchId = required(pick(flags.mchId, env, CONFIG_ENV.mchId), 'merchant id', '--mch-id', CONFIG_ENV.mchId);
  const serialNo = required(
    pick(flags.serialNo, env, CONFIG_ENV_V3.serialNo),
    'API certificate serial',
    '--serial-no',
    CONFIG_ENV_V3.serialNo,
  );
  const privateKeyFile = required(
    pick(flags.privateKeyFile, env, CONFIG_ENV_V3.privateKeyFile),
    'merchant private key',
    '--private-key-file',
    CONFIG_ENV_V3.privateKeyFile,
  );
  const platformPublicKeyFile = required(
    pick(flags.platformPublicKeyFile, env, CONFIG_ENV_V3.platformPublicKeyFile),
    'WeChat Pay public key',
    '--platform-public-key-file',
    CONFIG_ENV_V3.platformPublicKeyFile,
  );
  const platformPublicKeyId = required(
    pick(flags.platformPublicKeyId, env, CONFIG_ENV_V3.platformPublicKeyId),
    'WeChat Pay public key id',
    '--platform-public-key-id',
    CONFIG_ENV_V3.platformPublicKeyId,
  );
  const apiV3KeyFile = pick(flags.apiv3KeyFile, env, CONFIG_ENV_V3.apiV3KeyFile);
  const timeout = pick(flags.timeout, env, CONFIG_ENV.timeout);
  const baseURL = pick(flags.baseUrl, env, CONFIG_ENV.baseURL);
  if (baseURL !== undefined && !/^https?:\/\/[^/?#]+/i.test(baseURL)) {
    throw new InvalidArgumentError(`--base-url "${baseURL}" is not an http(s) URL`);
  }
  const merchant: PayClientV3Options = {
    appId,
    mchId,
    serialNo,
    privateKey: secret(privateKeyFile, 'private key'),
    platformPublicKey: readFile(platformPublicKeyFile).text,
    platformPublicKeyId,
    apiV3Key: apiV3KeyFile === undefined ? undefined : secret(apiV3KeyFile, 'APIv3 key').trim(),
    subAppId: pick(flags.subAppid, env, CONFIG_ENV.subAppId),
    subMchId: pick(flags.subMchId, env, CONFIG_ENV.subMchId),
    baseURL: baseURL?.replace(/\/+$/, ''),
    timeoutMs: timeout === undefined ? undefined : parseDuration(timeout),
  };
  return { merchant, warnings };
}
