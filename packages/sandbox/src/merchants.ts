import { InvalidArgumentError } from '@tradestate/protocol';
import type { MerchantConfig } from './types.ts';

/**
 * The public example merchant of WeChat Pay's v2 signing documentation: the sandbox's default, so docs,
 * examples and tests share one set of credentials that is secret to nobody.
 *
 * @example
 * ```ts
 * const client = createPayClient({ ...defaultMerchant, baseURL: sandbox.url });
 * ```
 */
export const defaultMerchant = {
  appId: 'wxd930ea5d5a258f4f',
  mchId: '10000100',
  key: '192006250b4c09247ec02edce69f6a2d',
} as const satisfies MerchantConfig;

/** The configured merchants, by `mch_id`, with each service provider's sub-merchants. */
export class MerchantDirectory {
  readonly first: MerchantConfig;
  private readonly byMchId = new Map<string, MerchantConfig>();
  private readonly subs = new Map<string, Map<string, { subAppId?: string }>>();

  constructor(merchants: readonly MerchantConfig[]) {
    if (merchants.length === 0) throw new InvalidArgumentError('at least one merchant is required');
    for (const merchant of merchants) {
      if (!merchant.appId || !merchant.mchId || !merchant.key) {
        throw new InvalidArgumentError('a merchant needs appId, mchId and key');
      }
      if (this.byMchId.has(merchant.mchId)) throw new InvalidArgumentError(`merchant ${merchant.mchId} is repeated`);
      this.byMchId.set(merchant.mchId, merchant);
      const subs = new Map<string, { subAppId?: string }>();
      for (const sub of merchant.subMerchants ?? []) {
        subs.set(sub.subMchId, sub.subAppId === undefined ? {} : { subAppId: sub.subAppId });
      }
      this.subs.set(merchant.mchId, subs);
    }
    this.first = merchants[0] as MerchantConfig;
  }

  get(mchId: string): MerchantConfig | undefined {
    return this.byMchId.get(mchId);
  }

  /** The sub-merchant of a service provider, or undefined when it is not one of its. */
  subMerchant(mchId: string, subMchId: string): { subAppId?: string } | undefined {
    return this.subs.get(mchId)?.get(subMchId);
  }

  all(): MerchantConfig[] {
    return [...this.byMchId.values()];
  }
}
