import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Counters } from './counters.ts';
import type { OrderRecord } from './order-record.ts';

/**
 * WeChat Pay v2's documented resend schedule for payment notifications, in milliseconds after a failed attempt:
 * 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h (16 attempts in all, over about 24 hours). APIv3 resends
 * on the same schedule. The sandbox multiplies each delay by its `timeScale`.
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
/** Replies are read up to this size to be judged; a larger one fails the attempt. */
const MAX_REPLY_BYTES = 16 * 1024;

/**
 * What differs between the v2 and v3 notifications: the headers of each attempt (APIv3 signs every delivery
 * afresh) and what counts as an acknowledgement.
 */
export interface DeliveryProtocol {
  /** Names the notification in log lines (`notification`, `v3 notification`). */
  readonly label: string;
  headers(body: string): Readonly<Record<string, string>>;
  /** Undefined when the reply acknowledges the notification, else why it does not. */
  acknowledgement(status: number, reply: Buffer): string | undefined;
}

/** What a delivery needs from its sandbox. */
export interface DeliveryOptions {
  readonly counters: Counters;
  readonly timeScale: number;
  readonly log: (line: string) => void;
}

/**
 * Delivers notifications to `notify_url`s and resends them on WeChat's schedule ({@link NOTIFY_RETRY_DELAYS_MS},
 * scaled) until the reply acknowledges them; a timeout, a refused connection, another status or a reply too large
 * is a failed attempt. The order's `notification` record shows where delivery stands.
 */
export class NotificationDelivery {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true });
  private closed = false;

  constructor(
    private readonly options: DeliveryOptions,
    private readonly protocol: DeliveryProtocol,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** Starts delivering `body` for an order that just became SUCCESS. */
  deliver(record: OrderRecord, url: string, body: string): void {
    if (this.closed) return;
    record.notification = { attempts: 0, acknowledged: false, pending: true, lastError: undefined };
    void this.attempt(record, url, body);
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
    const { label } = this.protocol;
    counters.notifications.sent++;
    const error = await this.post(url, body);
    if (this.closed) return;
    if (error === undefined) {
      state.acknowledged = true;
      state.pending = false;
      state.lastError = undefined;
      counters.notifications.acknowledged++;
      log(`${label} for ${record.outTradeNo} acknowledged after ${state.attempts} attempt(s)`);
      return;
    }
    state.lastError = error;
    counters.notifications.failed++;
    const delay = NOTIFY_RETRY_DELAYS_MS[state.attempts - 1];
    if (delay === undefined) {
      state.pending = false;
      log(`${label} for ${record.outTradeNo} abandoned after ${state.attempts} attempts: ${error}`);
      return;
    }
    log(`${label} for ${record.outTradeNo} attempt ${state.attempts} failed: ${error}`);
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
    const headers = { ...this.protocol.headers(body), 'content-length': String(Buffer.byteLength(body)) };
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
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_REPLY_BYTES) chunks.push(chunk);
          });
          res.on('error', (err) => done(`reply error: ${err.message}`));
          res.on('end', () => {
            if (size > MAX_REPLY_BYTES) return done('reply too large');
            done(this.protocol.acknowledgement(res.statusCode ?? 0, Buffer.concat(chunks)));
          });
        },
      );
      req.on('error', (err) => done(`request error: ${err.message}`));
      req.end(body);
    });
  }
}
