import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { buildXml, parseXml, sign } from '@tradestate/protocol';
import { nonce } from './answers.ts';
import type { Counters } from './counters.ts';
import type { MerchantDirectory } from './merchants.ts';
import { notificationFields } from './order-fields.ts';
import type { OrderRecord } from './order-record.ts';

/**
 * WeChat Pay v2's documented resend schedule for payment notifications, in milliseconds after a failed attempt:
 * 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h (16 attempts in all, over about 24 hours). The
 * sandbox multiplies each delay by its `timeScale`.
 *
 * @example
 * ```ts
 * const total = NOTIFY_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0); // 86_640_000 ms ≈ 24 h
 * const sandbox = await startSandbox({ timeScale: 1e-6 }); // the whole schedule in ~87 ms
 * ```
 */
export const NOTIFY_RETRY_DELAYS_MS: readonly number[] = [
  15e3, 15e3, 30e3, 180e3, 600e3, 1200e3, 1800e3, 1800e3, 1800e3, 3600e3, 10800e3, 10800e3, 10800e3, 21600e3, 21600e3,
];

/** How long one delivery attempt may take before it counts as failed. */
const ATTEMPT_TIMEOUT_MS = 5000;
const MAX_REPLY_BYTES = 16 * 1024;

/** What the notifier needs from its sandbox. */
export interface NotifierOptions {
  readonly directory: MerchantDirectory;
  readonly counters: Counters;
  readonly timeScale: number;
  readonly log: (line: string) => void;
}

/**
 * Delivers payment notifications: POSTs the signed XML to the order's `notify_url` and resends on WeChat's
 * schedule until the reply is `return_code` SUCCESS. Anything else (another status, a FAIL reply, a body that
 * is not XML, a timeout, a refused connection) is a failed attempt.
 */
export class Notifier {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true });
  private closed = false;

  constructor(private readonly options: NotifierOptions) {}

  /** Starts delivering the notification of an order that just became SUCCESS. */
  start(record: OrderRecord): void {
    if (this.closed || record.notifyUrl === undefined || record.paidAt === undefined) return;
    const merchant = this.options.directory.get(record.mchId);
    if (merchant === undefined) return;
    const fields = { ...notificationFields(record, record.paidAt), nonce_str: nonce() };
    // Notifications are signed with MD5 (WeChat's default for them); the same body is resent each time.
    const body = buildXml({ ...fields, sign: sign(fields, merchant.key, 'MD5') });
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
    this.options.counters.notifications.sent++;
    const error = await this.post(url, body);
    if (this.closed) return;
    if (error === undefined) {
      state.acknowledged = true;
      state.pending = false;
      state.lastError = undefined;
      this.options.counters.notifications.acknowledged++;
      this.options.log(`notification for ${record.outTradeNo} acknowledged after ${state.attempts} attempt(s)`);
      return;
    }
    state.lastError = error;
    this.options.counters.notifications.failed++;
    const delay = NOTIFY_RETRY_DELAYS_MS[state.attempts - 1];
    if (delay === undefined) {
      state.pending = false;
      this.options.log(`notification for ${record.outTradeNo} abandoned after ${state.attempts} attempts: ${error}`);
      return;
    }
    this.options.log(`notification for ${record.outTradeNo} attempt ${state.attempts} failed: ${error}`);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(record, url, body);
    }, delay * this.options.timeScale);
    this.timers.add(timer);
  }

  /** One POST; resolves to undefined when acknowledged, else to why not. Never rejects. */
  private post(url: string, body: string): Promise<string | undefined> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const target = new URL(url);
    const secure = target.protocol === 'https:';
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
        {
          method: 'POST',
          agent: secure ? this.httpsAgent : this.httpAgent,
          signal: controller.signal,
          headers: { 'content-type': 'text/xml; charset=utf-8', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_REPLY_BYTES) chunks.push(chunk);
          });
          res.on('error', (err) => done(`reply error: ${err.message}`));
          res.on('end', () => {
            if (res.statusCode !== 200) return done(`HTTP ${res.statusCode}`);
            if (size > MAX_REPLY_BYTES) return done('reply too large');
            done(acknowledgement(Buffer.concat(chunks)));
          });
        },
      );
      req.on('error', (err) => done(`request error: ${err.message}`));
      req.end(body);
    });
  }
}

/** Undefined when the reply acknowledges the notification, else why it does not. */
function acknowledgement(reply: Buffer): string | undefined {
  try {
    const fields = parseXml(reply);
    return fields['return_code'] === 'SUCCESS' ? undefined : `reply return_code ${fields['return_code'] ?? 'missing'}`;
  } catch {
    return 'reply is not XML';
  }
}
