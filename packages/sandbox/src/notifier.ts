import { buildXml, parseXml, sign } from '@tradestate/protocol/codec';
import { nonce } from './answers.ts';
import type { MerchantDirectory } from './merchants.ts';
import { type DeliveryOptions, type DeliveryProtocol, NotificationDelivery } from './notification-delivery.ts';
import { notificationFields } from './order-fields.ts';
import type { OrderRecord } from './order-record.ts';

export { NOTIFY_RETRY_DELAYS_MS } from './notification-delivery.ts';

/** What the notifier needs from its sandbox. */
export interface NotifierOptions extends DeliveryOptions {
  readonly directory: MerchantDirectory;
}

/** v2: signed XML; acknowledged only by a 200 whose XML says `return_code` SUCCESS. */
const V2_DELIVERY: DeliveryProtocol = {
  label: 'notification',
  headers: () => ({ 'content-type': 'text/xml; charset=utf-8' }),
  acknowledgement(status, reply) {
    if (status !== 200) return `HTTP ${status}`;
    try {
      const fields = parseXml(reply);
      return fields['return_code'] === 'SUCCESS'
        ? undefined
        : `reply return_code ${fields['return_code'] ?? 'missing'}`;
    } catch {
      return 'reply is not XML';
    }
  },
};

/**
 * Delivers v2 payment notifications: POSTs the signed XML to the order's `notify_url` and resends on WeChat's
 * schedule until the reply is `return_code` SUCCESS. Anything else (another status, a FAIL reply, a body that
 * is not XML, a timeout, a refused connection) is a failed attempt.
 */
export class Notifier {
  private readonly delivery: NotificationDelivery;

  constructor(private readonly options: NotifierOptions) {
    this.delivery = new NotificationDelivery(options, V2_DELIVERY);
  }

  /** Starts delivering the notification of an order that just became SUCCESS. */
  start(record: OrderRecord): void {
    if (this.delivery.isClosed || record.notifyUrl === undefined || record.paidAt === undefined) return;
    const merchant = this.options.directory.get(record.mchId);
    if (merchant === undefined) return;
    const fields = { ...notificationFields(record, record.paidAt), nonce_str: nonce() };
    // Notifications are signed with MD5 (WeChat's default for them); the same body is resent each time.
    this.delivery.deliver(record, record.notifyUrl, buildXml({ ...fields, sign: sign(fields, merchant.key, 'MD5') }));
  }

  close(): void {
    this.delivery.close();
  }
}
