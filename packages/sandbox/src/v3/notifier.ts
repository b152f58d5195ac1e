import { randomBytes, randomUUID } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { encryptAesGcm } from '@tradestate/protocol';
import type { Counters } from '../counters.ts';
import { NOTIFY_RETRY_DELAYS_MS } from '../notifier.ts';
import type { OrderRecord } from '../order-record.ts';
import { v3Headers } from './answers.ts';
import type { GeneratedV3Keys } from './keys.ts';
import type { V3Merchants } from './merchants.ts';
import { beijingRfc3339, transactionJson } from './transaction-json.ts';

const ATTEMPT_TIMEOUT_MS = 5000;
const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function resourceNonce(): string {
  let out = '';
  for (const byte of randomBytes(12)) out += NONCE_ALPHABET[byte % NONCE_ALPHABET.length];
  return out;
}

/** What the v3 notifier needs from its sandbox. */
export interface V3NotifierOptions {
  readonly merchants: V3Merchants;
  readonly keys: GeneratedV3Keys;
  readonly counters: Counters;
  readonly timeScale: number;
  readonly log: (line: string) => void;
}

/**
 * Delivers APIv3 payment notifications: the `TRANSACTION.SUCCESS` envelope with the transaction encrypted
 * (AES-256-GCM under the merchant's APIv3 key, AAD `transaction`), signed with the platform key afresh at every
 * attempt (WeChat signs each delivery; a client checks ±5 minutes), on the v2 notifier's retry schedule
 * ({@link NOTIFY_RETRY_DELAYS_MS}, scaled) until a 2xx.
 */
export class V3Notifier {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true });
  private closed = false;

  constructor(private readonly options: V3NotifierOptions) {}

  start(record: OrderRecord): void {
    if (this.closed || record.notifyUrl === undefined || record.paidAt === undefined) return;
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
    record.notification = { attempts: 0, acknowledged: false, pending: true, lastError: undefined };
    void this.attempt(record, record.notifyUrl, body);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async attempt(record: OrderRecord, url: string, body: string): Promise<void> {
    const state = record.notification;
    if (this.closed || state === undefined) return;
    state.attempts++;
    const { counters, log } = this.options;
    counters.notifications.sent++;
    const error = await this.post(url, body);
    if (this.closed) return;
    if (error === undefined) {
      state.acknowledged = true;
      state.pending = false;
      state.lastError = undefined;
      counters.notifications.acknowledged++;
      log(`v3 notification for ${record.outTradeNo} acknowledged after ${state.attempts} attempt(s)`);
      return;
    }
    state.lastError = error;
    counters.notifications.failed++;
    const delay = NOTIFY_RETRY_DELAYS_MS[state.attempts - 1];
    if (delay === undefined) {
      state.pending = false;
      log(`v3 notification for ${record.outTradeNo} abandoned after ${state.attempts} attempts: ${error}`);
      return;
    }
    log(`v3 notification for ${record.outTradeNo} attempt ${state.attempts} failed: ${error}`);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(record, url, body);
    }, delay * this.options.timeScale);
    this.timers.add(timer);
  }

  /** One signed POST; resolves to undefined on a 2xx, else to why not. Never rejects. */
  private post(url: string, body: string): Promise<string | undefined> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const headers = {
      ...v3Headers(body, 'signed', this.options.keys),
      'content-length': String(Buffer.byteLength(body)),
    };
    return new Promise<string | undefined>((resolve) => {
      let settled = false;
      const done = (error: string | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timeout);
        this.inFlight.delete(controller);
        resolve(error);
      };
      const timeout = setTimeout(() => {
        controller.abort();
        done('timeout');
      }, ATTEMPT_TIMEOUT_MS);
      const req = (secure ? httpsRequest : httpRequest)(
        target,
        { method: 'POST', agent: secure ? this.httpsAgent : this.httpAgent, signal: controller.signal, headers },
        (res) => {
          res.resume();
          res.on('error', (err) => done(`reply error: ${err.message}`));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            done(status >= 200 && status < 300 ? undefined : `HTTP ${status}`);
          });
        },
      );
      req.on('error', (err) => done(`request error: ${err.message}`));
      req.end(body);
    });
  }
}
