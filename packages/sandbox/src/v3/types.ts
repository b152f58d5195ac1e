/**
 * A merchant's own APIv3 credentials, as the sandbox checks them: the serial and public key of its API certificate
 * (requests are verified with it) and its APIv3 key (notifications are encrypted with it). Merchants without one
 * share the key pair the sandbox generates at start.
 *
 * @example
 * ```ts
 * const v3: MerchantV3Config = { serialNo: '5157F09E…', publicKey: readFileSync('apiclient_pub.pem', 'utf8'), apiV3Key: 'x'.repeat(32) };
 * ```
 */
export interface MerchantV3Config {
  readonly serialNo: string;
  /** PEM (SPKI or PKCS#1) public key of the merchant's API certificate. */
  readonly publicKey: string;
  /** 32 bytes. */
  readonly apiV3Key: string;
}

/**
 * What a v3 client needs to talk to the sandbox as its first merchant: spread it into `createPayClientV3` with the
 * sandbox's `url` as `baseURL`. The keys are PEM text, generated when the sandbox starts (once per process).
 *
 * @example
 * ```ts
 * const client = createPayClientV3({ ...sandbox.v3, baseURL: sandbox.url });
 * ```
 */
export interface SandboxV3Credentials {
  readonly mchId: string;
  readonly appId: string;
  /** The serial of the generated merchant API certificate. */
  readonly serialNo: string;
  /** The generated merchant private key (PKCS#8 PEM): sign requests with it. */
  readonly privateKey: string;
  /** The sandbox's platform public key (SPKI PEM): verify answers and notifications with it. */
  readonly platformPublicKey: string;
  /** The id the sandbox signs under (`Wechatpay-Serial`). */
  readonly platformPublicKeyId: string;
  /** The APIv3 key notifications are encrypted with (32 characters). */
  readonly apiV3Key: string;
}

/**
 * APIv3-only fault rates, each a probability in `[0, 1]` per v3 request, drawn after the shared {@link FaultRates}
 * (which apply to v3 too: `systemError`/`frequencyLimited`/`returnFail` become unsigned 500/429/500 error bodies,
 * `badSignature` a wrong `Wechatpay-Signature`, `staleState`, `hang`, `reset`, `truncated`, `html502`, `latency`).
 * They add up to at most 1.
 *
 * @example
 * ```ts
 * sandbox.setV3Faults({ staleTimestamp: 0.1, signTest: 0.05 });
 * ```
 */
export interface V3FaultRates {
  /** A correctly signed answer whose `Wechatpay-Timestamp` is 10 minutes old (a replay, or a clock off). */
  readonly staleTimestamp?: number;
  /** A `WECHATPAY/SIGNTEST/` probe signature, as WeChat sends to check that merchants verify. */
  readonly signTest?: number;
}
