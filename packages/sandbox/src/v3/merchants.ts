import type { KeyObject } from 'node:crypto';
import { apiV3KeyOf, publicKeyOf } from '@tradestate/protocol';
import type { MerchantDirectory } from '../merchants.ts';
import type { GeneratedV3Keys } from './keys.ts';
import type { MerchantV3Config } from './types.ts';

/** A merchant's APIv3 credentials, parsed once. */
export interface V3Merchant {
  readonly serialNo: string;
  readonly publicKey: KeyObject;
  readonly apiV3Key: Buffer;
}

/** The APIv3 credentials of the configured merchants: their own, or the generated shared pair. */
export class V3Merchants {
  private readonly byMchId = new Map<string, V3Merchant>();

  constructor(directory: MerchantDirectory, keys: GeneratedV3Keys) {
    const shared: V3Merchant = {
      serialNo: keys.merchantSerialNo,
      publicKey: publicKeyOf(keys.merchantPublicKey, 'merchant public key'),
      apiV3Key: apiV3KeyOf(keys.apiV3Key),
    };
    for (const merchant of directory.all()) {
      const own = (merchant as { readonly v3?: MerchantV3Config }).v3;
      this.byMchId.set(
        merchant.mchId,
        own === undefined
          ? shared
          : {
              serialNo: own.serialNo,
              publicKey: publicKeyOf(own.publicKey, `v3.publicKey of merchant ${merchant.mchId}`),
              apiV3Key: apiV3KeyOf(own.apiV3Key),
            },
      );
    }
  }

  get(mchId: string): V3Merchant | undefined {
    return this.byMchId.get(mchId);
  }
}
