import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { type Schedule, watchOrders } from '@tradestate/machine';
import { createPayClient, type OrderQuery } from '@tradestate/protocol';
import { Subject } from 'rxjs';
import { MERCHANT } from '../fixtures.ts';
import { createFloorQuery } from '../floor/floor-client.ts';

const require = createRequire(import.meta.url);

export const POLL_LOOP_CONTENDERS = ['tradestate', 'wechatpay-axios-plugin', 'floor'] as const;
export type PollLoopContenderName = (typeof POLL_LOOP_CONTENDERS)[number];

/** Watches orders until each is SUCCESS, polling every `intervalMs` (the first poll at once). */
export interface Watcher {
  watch(outTradeNo: string): void;
  /** No more orders will be added. */
  end(): void;
}

export interface WatcherHooks {
  /** An order's watch ended; `paid` is false when it ended any other way than SUCCESS. */
  readonly onDone: (paid: boolean) => void;
  /** A poll failed (network, decode); the loop goes on. */
  readonly onError: (error: unknown) => void;
}

/** Makes a watcher for one phase (warm-up, run); the contender's client is built once, before any phase. */
export type WatcherFactory = (intervalMs: number, hooks: WatcherHooks) => Watcher;

/** tradestate: `watchOrders` over `createPayClient`, a fixed-interval schedule without jitter. */
const tradestateWatchers = (baseURL: string): WatcherFactory => {
  const client = createPayClient({ ...MERCHANT, baseURL });
  return (intervalMs, hooks) => {
    const schedule: Schedule = (_attempt, last) => (last.kind === 'start' ? 0 : intervalMs);
    const queries = new Subject<OrderQuery>();
    watchOrders(queries, { client, schedule, jitter: { ratio: 0 }, deadline: 600_000 }).subscribe({
      next: (watch) => {
        if (watch.error !== undefined && !watch.done) hooks.onError(watch.error);
        if (watch.done) hooks.onDone(watch.end === 'SUCCESS');
      },
      error: hooks.onError,
    });
    return { watch: (outTradeNo) => queries.next({ outTradeNo }), end: () => queries.complete() };
  };
};

interface PeerClient {
  v2: { pay: { orderquery(data: Record<string, string>): Promise<{ data: Record<string, string> }> } };
}
type PeerConstructor = new (config: Record<string, unknown>) => PeerClient;

/**
 * The way users write it with wechatpay-axios-plugin today: its client (v2 transformer: sign, fast-xml-parser,
 * verify) and a `setTimeout` loop per order. The v3 credentials its constructor insists on are throwaway.
 */
const peerWatchers = (baseURL: string): WatcherFactory => {
  const Wechatpay = require('wechatpay-axios-plugin') as PeerConstructor;
  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const wxpay = new Wechatpay({
    mchid: MERCHANT.mchId,
    serial: '0'.repeat(40),
    privateKey: keys.privateKey,
    certs: { ['1'.repeat(40)]: keys.publicKey },
    secret: MERCHANT.key,
    baseURL: `${baseURL}/`,
  });
  return (intervalMs, hooks) => ({
    watch(outTradeNo) {
      const poll = async () => {
        try {
          const { data } = await wxpay.v2.pay.orderquery({
            appid: MERCHANT.appId,
            mch_id: MERCHANT.mchId,
            out_trade_no: outTradeNo,
          });
          if (data['trade_state'] === 'SUCCESS') {
            hooks.onDone(true);
            return;
          }
        } catch (error) {
          hooks.onError(error);
        }
        setTimeout(poll, intervalMs);
      };
      void poll();
    },
    end: () => {},
  });
};

/** The floor: `node:http` keep-alive + regex + one MD5, a `setTimeout` loop per order. */
const floorWatchers = (baseURL: string): WatcherFactory => {
  const query = createFloorQuery(baseURL);
  return (intervalMs, hooks) => ({
    watch(outTradeNo) {
      const poll = () => {
        query(outTradeNo).then(
          (state) => {
            if (state === 'SUCCESS') hooks.onDone(true);
            else {
              if (state === undefined) hooks.onError(new Error('floor: unverified answer'));
              setTimeout(poll, intervalMs);
            }
          },
          (error: unknown) => {
            hooks.onError(error);
            setTimeout(poll, intervalMs);
          },
        );
      };
      poll();
    },
    end: () => {},
  });
};

/** Builds a contender's client (keys, agents, axios instance) and returns its watcher factory. */
export function prepareContender(name: PollLoopContenderName, baseURL: string): WatcherFactory {
  switch (name) {
    case 'tradestate':
      return tradestateWatchers(baseURL);
    case 'wechatpay-axios-plugin':
      return peerWatchers(baseURL);
    case 'floor':
      return floorWatchers(baseURL);
  }
}
