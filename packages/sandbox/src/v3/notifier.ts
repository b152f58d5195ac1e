import { randomBytes, randomUUID } from 'node:crypto';
import { encryptAesGcm } from '@tradestate/protocol';
import {
  type DeliveryOptions,
  type DeliveryProtocol,
  NOTIFY_RETRY_DELAYS_MS,
  NotificationDelivery,
} from '../notification-delivery.ts';
import type { OrderRecord } from '../order-record.ts';
import { v3Headers } from './answers.ts';
import type { GeneratedV3Keys } from './keys.ts';
import type { V3Merchants } from './merchants.ts';
import { beijingRfc3339, transactionJson } from './transaction-json.ts';

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function resourceNonce(): string {
  let out = '';
  for (const byte of randomBytes(12)) out += NONCE_ALPHABET[byte % NONCE_ALPHABET.length];
  return out;
}

/** What the v3 notifier needs from its sandbox. */
export interface V3NotifierOptions extends DeliveryOptions {
  readonly merchants: V3Merchants;
  readonly keys: GeneratedV3Keys;
}

/**
 * Delivers APIv3 payment notifications: the `TRANSACTION.SUCCESS` envelope with the transaction encrypted
 * (AES-256-GCM under the merchant's APIv3 key, AAD `transaction`), signed with the platform key afresh at every
 * attempt (WeChat signs each delivery; a client checks ±5 minutes), on the v2 notifier's retry schedule
 * ({@link NOTIFY_RETRY_DELAYS_MS}, scaled) until a 2xx.
 */
export class V3Notifier {
  private readonly delivery: NotificationDelivery;

  constructor(private readonly options: V3NotifierOptions) {
    const protocol: DeliveryProtocol = {
      label: 'v3 notification',
      headers: (body) => v3Headers(body, 'signed', options.keys),
      acknowledgement: (status) => (status >= 200 && status < 300 ? undefined : `HTTP ${status}`),
    };
    this.delivery = new NotificationDelivery(options, protocol);
  }

  start(record: OrderRecord): void {
    if (this.delivery.isClosed || record.notifyUrl === undefined || record.paidAt === undefined) return;
    const merchant = this.options.merchants.get(record.mchId);
    if (merchant === undefined) return;
    const nonce = resourceNonce();
    const body = JSON.stringify({
      id: randomUUID(),
      create_time: beijingRfc3339(record.paidAt),
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource: {
        original_type: 'transaction',
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: encryptAesGcm(
          JSON.stringify(transactionJson(record, 'SUCCESS')),
          merchant.apiV3Key,
          nonce,
          'transaction',
        ),
        associated_data: 'transaction',
        nonce,
      },
    });
    this.delivery.deliver(record, record.notifyUrl, body);
  }

  close(): void {
    this.delivery.close();
  }
}
