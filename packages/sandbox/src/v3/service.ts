import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Counters } from '../counters.ts';
import type { FaultPicker } from '../faults.ts';
import type { MerchantDirectory } from '../merchants.ts';
import type { OrderRecord } from '../order-record.ts';
import type { OrderStore } from '../order-store.ts';
import { CLOSE_MIN_AGE_MS } from '../pay-api.ts';
import { playTransportFault } from '../transport-faults.ts';
import type { OrderSpec } from '../types.ts';
import { type V3Answer, type V3Signing, v3Error, v3Headers } from './answers.ts';
import { V3FaultPicker } from './faults.ts';
import { type GeneratedV3Keys, sandboxV3Keys } from './keys.ts';
import { V3Merchants } from './merchants.ts';
import { V3Notifier } from './notifier.ts';
import { answerV3, type V3PayContext } from './pay-api.ts';
import { v3Route } from './routes.ts';
import type { SandboxV3Credentials, V3FaultRates } from './types.ts';

/** What the v3 service shares with the sandbox's server. */
export interface V3ServiceOptions {
  readonly directory: MerchantDirectory;
  readonly store: () => OrderStore;
  readonly counters: Counters;
  readonly faults: FaultPicker;
  readonly seed: number;
  readonly timeScale: number;
  readonly log: (line: string) => void;
  /** The server's timers of held-back answers, cleared when it closes. */
  readonly delays: Set<NodeJS.Timeout>;
  readonly closing: () => boolean;
}

/** The sandbox's APIv3 face: its routes, its notifier, its keys and its own faults. */
export class V3Service {
  private ready: { keys: GeneratedV3Keys; merchants: V3Merchants; credentials: SandboxV3Credentials } | undefined;
  private notifier: V3Notifier | undefined;
  private readonly v3Faults: V3FaultPicker;
  /** Orders whose payment notification speaks v3. */
  private readonly v3Orders = new WeakSet<OrderRecord>();
  private creatingV3 = false;
  private closed = false;

  constructor(private readonly options: V3ServiceOptions) {
    this.v3Faults = new V3FaultPicker(options.seed);
  }

  /**
   * The keys, generated on first use (the first v3 request, notification or look at the credentials), so that a
   * sandbox used over v2 only pays nothing; once per process (see `sandboxV3Keys`).
   */
  private state(): { keys: GeneratedV3Keys; merchants: V3Merchants; credentials: SandboxV3Credentials } {
    if (this.ready !== undefined) return this.ready;
    const keys = sandboxV3Keys();
    const first = this.options.directory.first;
    const own = (first as { readonly v3?: { readonly serialNo: string } }).v3;
    this.ready = {
      keys,
      merchants: new V3Merchants(this.options.directory, keys),
      credentials: Object.freeze({
        mchId: first.mchId,
        appId: first.appId,
        serialNo: own?.serialNo ?? keys.merchantSerialNo,
        privateKey: keys.merchantPrivateKey,
        platformPublicKey: keys.platformPublicKey,
        platformPublicKeyId: keys.platformPublicKeyId,
        apiV3Key: keys.apiV3Key,
      }),
    };
    return this.ready;
  }

  get credentials(): SandboxV3Credentials {
    return this.state().credentials;
  }

  /** Creates an order through `create`, remembering whether its notification speaks v3. */
  createOrder(spec: OrderSpec, create: () => OrderRecord): OrderRecord {
    const v3 = (spec as { notifyApi?: unknown }).notifyApi === 'v3';
    this.creatingV3 = v3;
    try {
      const record = create();
      if (v3) this.v3Orders.add(record);
      return record;
    } finally {
      this.creatingV3 = false;
    }
  }

  /** Starts the notification of a paid order when it speaks v3; false when it is v2's. */
  notifyIfV3(record: OrderRecord): boolean {
    if (!this.creatingV3 && !this.v3Orders.has(record)) return false;
    this.v3Orders.add(record);
    if (this.closed) return true;
    const { merchants, keys } = this.state();
    this.notifier ??= new V3Notifier({
      merchants,
      keys,
      counters: this.options.counters,
      timeScale: this.options.timeScale,
      log: this.options.log,
    });
    this.notifier.start(record);
    return true;
  }

  setFaults(rates: V3FaultRates): void {
    this.v3Faults.set(rates);
  }

  faultsInjected(): Readonly<Record<string, number>> {
    return { ...this.v3Faults.injected };
  }

  close(): void {
    this.closed = true;
    this.notifier?.close();
  }

  /** Serves one request under `/v3/`. */
  serve(req: IncomingMessage, res: ServerResponse, url: string, path: string, body: Buffer | undefined): void {
    const { counters, faults } = this.options;
    const method = req.method ?? 'GET';
    const route = v3Route(method, path);
    if (route === undefined) {
      this.write(res, v3Error(404, 'NOT_FOUND', '请求的资源不存在'));
      return;
    }
    if (route === 'method') {
      counters.endpoint(path);
      this.write(res, v3Error(405, 'INVALID_REQUEST', '请求方法不被允许'));
      return;
    }
    counters.endpoint(route.template);
    if (body === undefined) {
      this.write(res, v3Error(400, 'PARAM_ERROR', '请求体过大'));
      return;
    }
    const draw = faults.draw();
    res.once('close', () => {
      if (!res.writableEnded && draw.fault !== 'reset' && !this.options.closing()) counters.abandoned++;
    });
    const respond = () => {
      if (res.destroyed) return;
      if (playTransportFault(draw.fault, req, res, counters)) return;
      const header = (name: string) => {
        const value = req.headers[name];
        return typeof value === 'string' ? value : undefined;
      };
      const { merchants, keys } = this.state();
      const context: V3PayContext = {
        directory: this.options.directory,
        merchants,
        store: this.options.store(),
        keys,
        closeMinAgeMs: CLOSE_MIN_AGE_MS * this.options.timeScale,
      };
      const result = answerV3(
        route,
        {
          method,
          url,
          query: new URL(url, 'http://sandbox').searchParams,
          authorization: header('authorization'),
          platformSerial: header('wechatpay-serial'),
          body,
        },
        draw.fault,
        context,
      );
      if (result.injected !== undefined) counters.fault(result.injected);
      counters.answer(result.answer.label);
      let answer = result.answer;
      if (answer.signing === 'signed') {
        const v3Fault = this.v3Faults.draw();
        if (v3Fault !== undefined) {
          this.v3Faults.injected[v3Fault]++;
          const signing: V3Signing = v3Fault === 'staleTimestamp' ? 'stale' : 'probe';
          answer = { ...answer, signing };
        }
      }
      if (draw.fault === 'truncated' && answer.body.length > 0) {
        counters.fault('truncated');
        const cut = answer.body.slice(0, Math.floor(answer.body.length / 2));
        this.write(res, answer, cut);
        return;
      }
      this.write(res, answer);
    };
    if (draw.delayMs === 0) {
      respond();
      return;
    }
    counters.fault('latency');
    const timer = setTimeout(() => {
      this.options.delays.delete(timer);
      respond();
    }, draw.delayMs);
    this.options.delays.add(timer);
  }

  /** Writes an answer, signed over `body` (a truncated answer carries the signature of the whole). */
  private write(res: ServerResponse, answer: V3Answer, cut?: string): void {
    const headers = v3Headers(answer.body, answer.signing, this.state().keys);
    const text = cut ?? answer.body;
    res.writeHead(answer.status, { ...headers, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}
