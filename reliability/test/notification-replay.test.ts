import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createPayClient,
  decodeNotification,
  type ExpectedAnswer,
  notificationReply,
  type PayClient,
  readNotificationHint,
  TradestateError,
} from '@tradestate/protocol';
import { buildXml, parseXml } from '@tradestate/protocol/codec';
import { defaultMerchant, type Sandbox, startSandbox } from '@tradestate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationVerdict } from '../src/fuzz/notification-oracle.ts';

// The fuzz's replayed bodies, end to end: genuine bodies signed by the sandbox (a real HTTP server speaking
// WeChat's v2 protocol) for every kind of answer, posted back to a notify route. The independent oracle and the
// decoder must agree on each, and only the sandbox's own payment notification, about the expected order and
// amount, may be believed.

const PROVIDER = {
  appId: 'wx2421b1c4370ec43b',
  mchId: '1230000109',
  key: 'b7c4f0e2a1d94c8e9f3a6b5d2c1e0f98',
  subMerchants: [{ subMchId: '1900000109', subAppId: 'wxsub0000000001' }, { subMchId: '1900000110' }],
};

interface Inbox {
  readonly url: string;
  readonly bodies: Buffer[];
  close(): Promise<void>;
}

/** A notify route on 127.0.0.1 that keeps every raw body it receives and acknowledges it. */
async function inbox(): Promise<Inbox> {
  const bodies: Buffer[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(notificationReply(true));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function until<T>(read: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A genuine signed body back on the wire: the verified fields, sign included, in the order they came. */
function body(fields: Readonly<Record<string, string>>): string {
  return buildXml(fields);
}

function verdict(run: () => unknown): string {
  try {
    run();
    return 'SUCCESS';
  } catch (err) {
    if (err instanceof TradestateError) return err.code;
    throw err;
  }
}

let sandbox: Sandbox;
let route: Inbox;
let client: PayClient;
/** Genuine bodies of every kind the merchant key signs, by name. */
const genuine = new Map<string, string>();
let notified: string;

beforeAll(async () => {
  route = await inbox();
  sandbox = await startSandbox({ merchants: [defaultMerchant, PROVIDER], timeScale: 1e-4 });
  client = createPayClient({ ...defaultMerchant, baseURL: sandbox.url });

  sandbox.createOrder({ outTradeNo: 'PAID1', totalFee: 10_000, tradeType: 'NATIVE', notifyUrl: route.url });
  sandbox.setTradeState('PAID1', 'SUCCESS');
  notified = (await until(() => route.bodies[0], 'the payment notification')).toString('utf8');

  const states: Array<
    [
      string,
      'NATIVE' | 'MICROPAY',
      readonly ('SUCCESS' | 'REFUND' | 'CLOSED' | 'USERPAYING' | 'PAYERROR' | 'REVOKED')[],
    ]
  > = [
    ['Q-NOTPAY', 'NATIVE', []],
    ['Q-SUCCESS', 'NATIVE', ['SUCCESS']],
    ['Q-REFUND', 'NATIVE', ['SUCCESS', 'REFUND']],
    ['Q-CLOSED', 'NATIVE', ['CLOSED']],
    ['Q-USERPAYING', 'MICROPAY', ['USERPAYING']],
    ['Q-PAYERROR', 'MICROPAY', ['USERPAYING', 'PAYERROR']],
    ['Q-REVOKED', 'MICROPAY', ['SUCCESS', 'REVOKED']],
  ];
  for (const [outTradeNo, tradeType, path] of states) {
    sandbox.createOrder({ outTradeNo, totalFee: 10_000, tradeType });
    for (const state of path) sandbox.setTradeState(outTradeNo, state);
    const outcome = await client.queryOrder({ outTradeNo });
    if (outcome.kind !== 'order') throw new Error(`${outcome.kind} for ${outTradeNo}`);
    genuine.set(`orderquery ${outcome.tradeState as string}`, body(outcome.fields));
  }
  sandbox.createOrder({ outTradeNo: 'CLOSE1', totalFee: 10_000, tradeType: 'NATIVE' });
  await new Promise((resolve) => setTimeout(resolve, 50)); // past WeChat's 5 minutes, at timeScale 1e-4
  const closed = await client.closeOrder({ outTradeNo: 'CLOSE1' });
  if (closed.kind !== 'closed') throw new Error(`close: ${closed.kind}`);
  genuine.set('closeorder', body(closed.fields));
  sandbox.createOrder({ outTradeNo: 'POS1', totalFee: 10_000, tradeType: 'MICROPAY', initialState: 'USERPAYING' });
  const reversed = await client.reverseOrder({ outTradeNo: 'POS1' });
  if (reversed.kind !== 'reversed') throw new Error(`reverse: ${reversed.kind}`);
  genuine.set('reverse', body(reversed.fields));
  const missing = await client.queryOrder({ outTradeNo: 'NO-SUCH-ORDER' });
  genuine.set('ordernotexist', body(missing.fields));
}, 30_000);

afterAll(async () => {
  await sandbox?.close();
  await route?.close();
});

describe('genuine sandbox-signed bodies replayed to the notify route', () => {
  const expectPaid: ExpectedAnswer = {
    appId: defaultMerchant.appId,
    mchId: defaultMerchant.mchId,
    outTradeNo: 'PAID1',
    totalFee: 10_000,
  };

  it('the sandbox’s own payment notification is believed, bound to its order and amount', () => {
    const notification = decodeNotification(notified, { key: defaultMerchant.key, expect: expectPaid });
    expect(notification.order).toMatchObject({ outTradeNo: 'PAID1', totalFee: 10_000 });
    expect(client.decodeNotification(notified, { expect: { outTradeNo: 'PAID1', totalFee: 10_000 } }).tradeState).toBe(
      'SUCCESS',
    );
    expect(notificationVerdict(parseXml(notified), 'MD5', expectPaid)).toBe('SUCCESS');
  });

  it('the same notification for another amount, currency or order is a MISMATCH, for the oracle too', () => {
    for (const other of [{ totalFee: 1 }, { feeType: 'USD' }, { outTradeNo: 'PAID2' }, { mchId: '10000101' }]) {
      const expectation = { ...expectPaid, ...other };
      expect(verdict(() => decodeNotification(notified, { key: defaultMerchant.key, expect: expectation }))).toBe(
        'MISMATCH',
      );
      expect(notificationVerdict(parseXml(notified), 'MD5', expectation)).toBe('MISMATCH');
    }
    expect(verdict(() => client.decodeNotification(notified, { expect: { totalFee: 1 } }))).toBe('MISMATCH');
  });

  it('every other genuine answer is refused NOT_A_PAYMENT, the oracle agreeing on each', () => {
    const kinds = [...genuine.keys()].sort();
    expect(kinds).toEqual([
      'closeorder',
      'ordernotexist',
      'orderquery CLOSED',
      'orderquery NOTPAY',
      'orderquery PAYERROR',
      'orderquery REFUND',
      'orderquery REVOKED',
      'orderquery SUCCESS',
      'orderquery USERPAYING',
      'reverse',
    ]);
    for (const [kind, replayed] of genuine) {
      const expectation = { appId: defaultMerchant.appId, mchId: defaultMerchant.mchId };
      const got = verdict(() => decodeNotification(replayed, { key: defaultMerchant.key, expect: expectation }));
      expect({ kind, got }).toEqual({ kind, got: notificationVerdict(parseXml(replayed), 'MD5', expectation) });
      // A paid orderquery answer states what a notification does; nothing else is a payment.
      expect({ kind, got }).toEqual({ kind, got: kind === 'orderquery SUCCESS' ? 'SUCCESS' : 'NOT_A_PAYMENT' });
    }
  });

  it('a refused body still hints which order it names, and the hint is only an id', () => {
    expect(readNotificationHint(genuine.get('orderquery NOTPAY'))).toEqual({ outTradeNo: 'Q-NOTPAY' });
    expect(readNotificationHint(genuine.get('closeorder'))).toBeUndefined();
  });
});

describe('queryOrder through the sandbox binds the amount and the sub-merchant', () => {
  it('a paid order of 10,000 fen is refused to a watcher expecting 1 fen, or another currency', async () => {
    await expect(client.queryOrder({ outTradeNo: 'Q-SUCCESS' }, { expect: { totalFee: 1 } })).rejects.toMatchObject({
      name: 'MismatchError',
      field: 'total_fee',
    });
    await expect(
      client.queryOrder({ outTradeNo: 'Q-SUCCESS' }, { expect: { totalFee: 10_000, feeType: 'USD' } }),
    ).rejects.toMatchObject({ field: 'fee_type' });
    expect(await client.queryOrder({ outTradeNo: 'Q-SUCCESS' }, { expect: { totalFee: 10_000 } })).toMatchObject({
      kind: 'order',
      tradeState: 'SUCCESS',
    });
  });

  it('a provider key shared by two sub-merchants: each client believes only its own notification', async () => {
    const forA = createPayClient({
      ...PROVIDER,
      subMchId: '1900000109',
      subAppId: 'wxsub0000000001',
      baseURL: sandbox.url,
    });
    const forB = createPayClient({ ...PROVIDER, subMchId: '1900000110', baseURL: sandbox.url });
    sandbox.createOrder({
      outTradeNo: 'SUB-B1',
      totalFee: 500,
      tradeType: 'NATIVE',
      mchId: PROVIDER.mchId,
      subMchId: '1900000110',
      notifyUrl: route.url,
    });
    const before = route.bodies.length;
    sandbox.setTradeState('SUB-B1', 'SUCCESS', { mchId: PROVIDER.mchId });
    const forBody = (await until(() => route.bodies[before], 'the sub-merchant notification')).toString('utf8');
    expect(forB.decodeNotification(forBody, { expect: { totalFee: 500 } }).order.subMchId).toBe('1900000110');
    expect(() => forA.decodeNotification(forBody)).toThrow(
      expect.objectContaining({ code: 'MISMATCH', field: 'sub_mch_id' }),
    );
    // Polling B's order as A is refused by the sandbox before anything is signed about it.
    const outcome = await forA.queryOrder({ outTradeNo: 'SUB-B1' });
    expect(outcome.kind).not.toBe('order');
  });
});
