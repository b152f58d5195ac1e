import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidArgumentError } from '@tradestate/protocol';
import { returnFail } from './answers.ts';
import { controlAccess } from './control-access.ts';
import { CONTROL_PREFIX, MAX_CONTROL_BYTES, serveControl } from './control-api.ts';
import { Counters } from './counters.ts';
import { FaultPicker } from './faults.ts';
import { defaultMerchant, MerchantDirectory } from './merchants.ts';
import { Notifier } from './notifier.ts';
import type { OrderRecord } from './order-record.ts';
import { OrderStore } from './order-store.ts';
import { answerPay, CLOSE_MIN_AGE_MS, MAX_REQUEST_BYTES, PAY_PATHS, type PayContext } from './pay-api.ts';
import { playTransportFault } from './transport-faults.ts';
import type { Sandbox, SandboxOptions } from './types.ts';
import { V3Service } from './v3/service.ts';

const XML_HEADERS = { 'content-type': 'text/plain; charset=utf-8' } as const;

/** Reads a request body up to `cap` bytes; resolves undefined when it was larger (the rest is drained). */
function readBody(req: IncomingMessage, cap: number, done: (body: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= cap) chunks.push(chunk);
  });
  req.on('end', () =>
    done(size > cap ? undefined : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)),
  );
}

function sendXml(res: ServerResponse, body: string): void {
  res.writeHead(200, { ...XML_HEADERS, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function checkOptions(options: SandboxOptions): { timeScale: number; seed: number } {
  const timeScale = options.timeScale ?? 1;
  if (typeof timeScale !== 'number' || !Number.isFinite(timeScale) || timeScale < 0) {
    throw new InvalidArgumentError('timeScale must be a finite number >= 0');
  }
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new InvalidArgumentError('seed must be an integer');
  return { timeScale, seed };
}

/**
 * Starts a local WeChat Pay v2 simulator on `node:http` (keep-alive, no framework). It serves
 * `POST /pay/orderquery`, `/pay/closeorder` and `/secapi/pay/reverse` with WeChat's signed XML and real error
 * answers, runs order scripts over (scaled) time, delivers payment notifications with WeChat's retry schedule,
 * injects faults by seeded rate, and exposes a JSON control API under `/sandbox/` that refuses cross-site use
 * (a Host other than its own address, another site's `Origin`, a content type other than JSON) and, with
 * `controlToken`, any request without `Authorization: Bearer <controlToken>`.
 *
 * @example
 * ```ts
 * import { createPayClient } from '@tradestate/protocol';
 * import { defaultMerchant, startSandbox } from '@tradestate/sandbox';
 *
 * const sandbox = await startSandbox({ timeScale: 0.001 });
 * sandbox.createOrder({ outTradeNo: 'A1', totalFee: 100, tradeType: 'NATIVE',
 *   script: [{ afterMs: 2000, tradeState: 'SUCCESS' }] });
 * const client = createPayClient({ ...defaultMerchant, baseURL: sandbox.url });
 * const outcome = await client.queryOrder({ outTradeNo: 'A1' });
 * await sandbox.close();
 * ```
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const { timeScale, seed } = checkOptions(options);
  const access = controlAccess(options.controlToken);
  const log = options.logger ?? (() => {});
  const directory = new MerchantDirectory(options.merchants ?? [defaultMerchant]);
  const counters = new Counters();
  const faults = new FaultPicker(seed, options.faults ?? {});
  const notifier = new Notifier({ directory, counters, timeScale, log });
  // APIv3 (issue 14): the same store answers both protocols; a paid order notifies in the protocol it was made with.
  let v3: V3Service | undefined;
  const onPaid = (record: OrderRecord) => {
    if (v3?.notifyIfV3(record) !== true) notifier.start(record);
  };
  const store = new OrderStore({ directory, seed, timeScale, log, onPaid });
  const context: PayContext = { directory, store, closeMinAgeMs: CLOSE_MIN_AGE_MS * timeScale };
  const delays = new Set<NodeJS.Timeout>();
  let closing = false;
  if (options.v3 !== false) {
    v3 = new V3Service({
      directory,
      store: () => store,
      counters,
      faults,
      seed,
      timeScale,
      log,
      delays,
      closing: () => closing,
    });
  }

  const servePay = (req: IncomingMessage, res: ServerResponse, path: string, body: Buffer | undefined): void => {
    counters.endpoint(path);
    const draw = faults.draw();
    // A client that gives up (deadline, unsubscribe) closes the connection before the answer is written: counted,
    // so tests can see cancellation from the server's side. The sandbox's own resets and shutdown are not.
    res.once('close', () => {
      if (!res.writableEnded && draw.fault !== 'reset' && !closing) counters.abandoned++;
    });
    const respond = () => {
      if (res.destroyed) return; // the client left while the answer was held back: nothing to serve or count
      if (playTransportFault(draw.fault, req, res, counters)) return;
      const result = answerPay(path, body, draw.fault, context);
      if (result.injected !== undefined) counters.fault(result.injected);
      counters.answer(result.answer.label);
      if (draw.fault === 'truncated') {
        counters.fault('truncated');
        sendXml(res, result.answer.body.slice(0, Math.floor(result.answer.body.length / 2)));
      } else sendXml(res, result.answer.body);
    };
    if (draw.delayMs === 0) {
      respond();
      return;
    }
    counters.fault('latency');
    const timer = setTimeout(() => {
      delays.delete(timer);
      respond();
    }, draw.delayMs);
    delays.add(timer);
  };

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    if (v3 !== undefined && path.startsWith('/v3/')) {
      const service = v3;
      readBody(req, MAX_REQUEST_BYTES, (body) => service.serve(req, res, url, path, body));
      return;
    }
    if (path.startsWith(CONTROL_PREFIX)) {
      readBody(req, MAX_CONTROL_BYTES, (body) => serveControl(sandbox, access, req, res, body));
      return;
    }
    if (!PAY_PATHS.has(path)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 Not Found');
      return;
    }
    if (req.method !== 'POST') {
      counters.endpoint(path);
      const answer = returnFail('请使用post方法', 'REQUIRE_POST_METHOD');
      counters.answer(answer.label);
      req.resume();
      sendXml(res, answer.body);
      return;
    }
    readBody(req, MAX_REQUEST_BYTES, (body) => servePay(req, res, path, body));
  });
  // Clients keep connections for many queries; outlive their idle timeouts (axios/undici use 4–5 s).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  const sandbox: Sandbox = {
    url: `http://${host}:${address.port}`,
    createOrder: (spec) => store.snapshot(v3 ? v3.createOrder(spec, () => store.create(spec)) : store.create(spec)),
    setTradeState: (outTradeNo, state, opts = {}) => store.snapshot(store.setState(outTradeNo, state, opts.mchId)),
    getOrder: (outTradeNo, opts = {}) => {
      const record = store.find(outTradeNo, opts.mchId);
      return record === undefined ? undefined : store.snapshot(record);
    },
    listOrders: () => store.all().map((record) => store.snapshot(record)),
    setFaults: (rates) => faults.set(rates),
    counters: () => ({ ...counters.snapshot(store.queriesByOrder()), v3FaultsInjected: v3?.faultsInjected() ?? {} }),
    get v3() {
      return v3?.credentials;
    },
    setV3Faults: (rates) => {
      if (v3 === undefined) throw new InvalidArgumentError('this sandbox was started without v3');
      v3.setFaults(rates);
    },
    resetCounters: () => {
      counters.reset();
      store.resetQueries();
    },
    close: async () => {
      if (closing) return;
      closing = true;
      store.close();
      notifier.close();
      v3?.close();
      for (const timer of delays) clearTimeout(timer);
      delays.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive sockets and hung requests would hold server.close() open forever.
      server.closeAllConnections();
      await closed;
      log('sandbox closed');
    },
  };
  log(`sandbox listening on ${sandbox.url}`);
  return sandbox;
}
