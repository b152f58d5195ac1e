import {
  createPayClient,
  InvalidArgumentError,
  MalformedResponseError,
  type OrderQueryOutcome,
  SignatureError,
  TransportError,
} from '@tradestate/protocol';
import { parseXml, verifySignature } from '@tradestate/protocol/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_MIN_AGE_MS, defaultMerchant, type FaultRates, type Sandbox, startSandbox } from '../src/index.ts';
import { call, post, signedRequest, waitFor } from './helpers.ts';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function withFault(faults: FaultRates, seed = 7): Promise<Sandbox> {
  sandbox = await startSandbox({ faults, seed });
  sandbox.createOrder({ outTradeNo: 'F1', totalFee: 100, tradeType: 'NATIVE' });
  sandbox.setTradeState('F1', 'SUCCESS');
  return sandbox;
}

const query = (sb: Sandbox, timeoutMs = 2000) =>
  createPayClient({ ...defaultMerchant, baseURL: sb.url, timeoutMs }).queryOrder({ outTradeNo: 'F1' });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('each fault kind, at rate 1, as the protocol client sees it', () => {
  it('systemError: signed SYSTEMERROR, retryable, and nothing happens to the order', async () => {
    const sb = await withFault({ systemError: 1 });
    const outcome = await query(sb);
    expect(outcome).toMatchObject({ kind: 'error', code: 'SYSTEMERROR', retryable: true });
    expect(verifySignature(outcome.fields, defaultMerchant.key, 'MD5')).toBe(true);
    sb.createOrder({ outTradeNo: 'F2', totalFee: 1, tradeType: 'NATIVE', ageMs: CLOSE_MIN_AGE_MS });
    const close = await call(sb, '/pay/closeorder', { out_trade_no: 'F2' });
    expect(close['err_code']).toBe('SYSTEMERROR');
    expect(sb.getOrder('F2')?.tradeState).toBe('NOTPAY');
    expect(sb.counters().faultsInjected.systemError).toBe(2);
    expect(sb.counters().byAnswer['SYSTEMERROR']).toBe(2);
  });

  it('frequencyLimited: signed FREQUENCY_LIMITED, retryable', async () => {
    const sb = await withFault({ frequencyLimited: 1 });
    expect(await query(sb)).toMatchObject({ kind: 'error', code: 'FREQUENCY_LIMITED', retryable: true });
    expect(sb.counters().faultsInjected.frequencyLimited).toBe(1);
  });

  it('returnFail: unsigned return_code FAIL saying the system is busy, retryable', async () => {
    const sb = await withFault({ returnFail: 1 });
    const outcome = await query(sb);
    expect(outcome).toMatchObject({ kind: 'error', code: 'RETURN_FAIL', retryable: true });
    expect(outcome.fields['sign']).toBeUndefined();
    expect(sb.counters().faultsInjected.returnFail).toBe(1);
  });

  it('latency: the answer comes latencyMs late; past the client deadline it is a TIMEOUT', async () => {
    const sb = await withFault({ latency: 1, latencyMs: 150 });
    const started = Date.now();
    const outcome = await query(sb);
    expect(Date.now() - started).toBeGreaterThanOrEqual(149);
    expect(outcome).toMatchObject({ kind: 'order', tradeState: 'SUCCESS' });
    const err = await rejection(query(sb, 40));
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('TIMEOUT');
    expect(sb.counters().faultsInjected.latency).toBe(2);
  });

  it('hang: no answer ever; the client times out and close() still ends the hung socket', async () => {
    const sb = await withFault({ hang: 1 });
    const err = await rejection(query(sb, 100));
    expect((err as TransportError).code).toBe('TIMEOUT');
    // The client's deadline closed the connection before any answer, and the sandbox saw it.
    await waitFor(() => sb.counters().abandoned === 1);
    // A raw request that never gives up: close() must end it rather than wait for it.
    const pending = fetch(`${sb.url}/pay/orderquery`, { method: 'POST', body: signedRequest({ out_trade_no: 'F1' }) });
    await waitFor(() => sb.counters().faultsInjected.hang === 2);
    await sb.close();
    await expect(pending).rejects.toThrow();
    expect(sb.counters().faultsInjected.hang).toBe(2);
    expect(sb.counters().abandoned).toBe(1); // the sandbox's own shutdown is not a client giving up
  });

  it('reset: the connection is destroyed, a NETWORK error', async () => {
    const sb = await withFault({ reset: 1 });
    const err = await rejection(query(sb));
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('NETWORK');
    expect(sb.counters().faultsInjected.reset).toBe(1);
    expect(sb.counters().abandoned).toBe(0); // the sandbox hung up, not the client
  });

  it('truncated: half a body with a matching length, refused as malformed', async () => {
    const sb = await withFault({ truncated: 1 });
    const err = await rejection(query(sb));
    expect(err).toBeInstanceOf(MalformedResponseError);
    const raw = await post(sb, '/pay/orderquery', signedRequest({ out_trade_no: 'F1' }));
    expect(raw.status).toBe(200);
    expect(raw.text.startsWith('<xml>')).toBe(true);
    expect(raw.text.endsWith('</xml>')).toBe(false);
    expect(sb.counters().faultsInjected.truncated).toBe(2);
  });

  it('html502: an nginx 502 page, an HTTP_STATUS error', async () => {
    const sb = await withFault({ html502: 1 });
    const err = await rejection(query(sb));
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).status).toBe(502);
    const raw = await post(sb, '/pay/orderquery', signedRequest({ out_trade_no: 'F1' }));
    expect([raw.status, raw.type]).toEqual([502, 'text/html']);
    expect(raw.text).toMatch(/<center>nginx<\/center>/);
  });

  it('badSignature: a well-formed answer whose sign does not verify, a SignatureError', async () => {
    const sb = await withFault({ badSignature: 1 });
    const err = await rejection(query(sb));
    expect(err).toBeInstanceOf(SignatureError);
    expect((err as SignatureError).code).toBe('SIGNATURE_INVALID');
    const raw = parseXml((await post(sb, '/pay/orderquery', signedRequest({ out_trade_no: 'F1' }))).text);
    expect(raw['trade_state']).toBe('SUCCESS');
    expect(raw['sign']).toMatch(/^[0-9A-F]{32}$/);
    expect(verifySignature(raw, defaultMerchant.key, 'MD5')).toBe(false);
    expect(sb.counters().faultsInjected.badSignature).toBe(2);
  });

  it('staleState: the previous state, correctly signed; an order with no past is answered as it is', async () => {
    const sb = await withFault({ staleState: 1 });
    const stale = await query(sb);
    expect(stale).toMatchObject({ kind: 'order', tradeState: 'NOTPAY' });
    expect(stale.fields['time_end']).toBeUndefined();
    sb.createOrder({ outTradeNo: 'FRESH', totalFee: 1, tradeType: 'NATIVE' });
    const fresh = await createPayClient({ ...defaultMerchant, baseURL: sb.url }).queryOrder({ outTradeNo: 'FRESH' });
    expect(fresh).toMatchObject({ kind: 'order', tradeState: 'NOTPAY' });
    expect(sb.counters().faultsInjected.staleState).toBe(1);
    expect(sb.getOrder('F1')?.tradeState).toBe('SUCCESS');
  });
});

describe('fault draws are seeded', () => {
  const rates: FaultRates = { systemError: 0.25, returnFail: 0.25, badSignature: 0.2 };

  async function run(seed: number): Promise<string[]> {
    const sb = await withFault(rates, seed);
    const client = createPayClient({ ...defaultMerchant, baseURL: sb.url });
    const seen: string[] = [];
    for (let i = 0; i < 40; i++) {
      try {
        const outcome: OrderQueryOutcome = await client.queryOrder({ outTradeNo: 'F1' });
        seen.push(outcome.kind === 'error' ? outcome.code : String(outcome.kind));
      } catch (err) {
        seen.push((err as SignatureError).code);
      }
    }
    const injected = sb.counters().faultsInjected;
    expect(injected.systemError + injected.returnFail + injected.badSignature).toBe(
      seen.filter((s) => s !== 'order').length,
    );
    await sb.close();
    sandbox = undefined;
    return seen;
  }

  it('the same seed repeats the same faults; another seed does not', async () => {
    const first = await run(42);
    const again = await run(42);
    const other = await run(43);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(new Set(first)).toEqual(new Set(['order', 'SYSTEMERROR', 'RETURN_FAIL', 'SIGNATURE_INVALID']));
  });

  it('setFaults changes the rates at run time, and faults can be turned off', async () => {
    const sb = await withFault({});
    expect(await query(sb)).toMatchObject({ kind: 'order' });
    sb.setFaults({ systemError: 1 });
    expect(await query(sb)).toMatchObject({ kind: 'error', code: 'SYSTEMERROR' });
    sb.setFaults({});
    expect(await query(sb)).toMatchObject({ kind: 'order' });
  });

  it('refuses rates outside [0, 1], unknown kinds and exclusive rates adding up past 1', async () => {
    const sb = await withFault({});
    expect(() => sb.setFaults({ systemError: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => sb.setFaults({ systemError: -0.1 })).toThrow(InvalidArgumentError);
    expect(() => sb.setFaults({ reset: 0.6, hang: 0.6 })).toThrow(/more than 1/);
    expect(() => sb.setFaults({ latency: 1, systemError: 1 })).not.toThrow();
    expect(() => sb.setFaults({ explode: 0.1 } as FaultRates)).toThrow(/unknown fault/);
    expect(() => sb.setFaults({ latencyMs: -1 })).toThrow(InvalidArgumentError);
    await expect(startSandbox({ faults: { hang: 2 } })).rejects.toThrow(InvalidArgumentError);
  });
});
