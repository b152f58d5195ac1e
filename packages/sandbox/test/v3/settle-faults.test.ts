import { SignatureError, TransportError } from '@tradestate/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_MIN_AGE_MS, type Sandbox, startSandbox } from '../../src/index.ts';
import { v3Client } from './helpers.ts';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('closing and reversing over APIv3', () => {
  it('closes an unpaid order with a verified 204, and refuses a paid or closed one', async () => {
    sandbox = await startSandbox();
    sandbox.createOrder({ outTradeNo: 'C1', totalFee: 1, tradeType: 'NATIVE', ageMs: CLOSE_MIN_AGE_MS });
    sandbox.createOrder({ outTradeNo: 'C2', totalFee: 1, tradeType: 'NATIVE', initialState: 'SUCCESS' });
    const client = v3Client(sandbox);
    expect(await client.closeOrder({ outTradeNo: 'C1' })).toEqual({ kind: 'closed', fields: {} });
    expect(await client.queryOrder({ outTradeNo: 'C1' })).toMatchObject({ kind: 'order', tradeState: 'CLOSED' });
    expect(await client.closeOrder({ outTradeNo: 'C1' })).toMatchObject({
      kind: 'error',
      code: 'ORDER_CLOSED',
      retryable: false,
    });
    expect(await client.closeOrder({ outTradeNo: 'C2' })).toMatchObject({
      kind: 'error',
      code: 'ORDER_PAID',
      retryable: false,
    });
    expect(await client.closeOrder({ outTradeNo: 'NOPE' })).toMatchObject({ kind: 'error', code: 'ORDER_NOT_EXIST' });
  });

  it('refuses, retryable, to close an order younger than five minutes, and fails scripted closes, as over v2', async () => {
    sandbox = await startSandbox();
    sandbox.createOrder({ outTradeNo: 'Y1', totalFee: 1, tradeType: 'NATIVE' });
    sandbox.createOrder({
      outTradeNo: 'F1',
      totalFee: 1,
      tradeType: 'NATIVE',
      ageMs: CLOSE_MIN_AGE_MS,
      closeFailures: 1,
    });
    const client = v3Client(sandbox);
    expect(await client.closeOrder({ outTradeNo: 'Y1' })).toMatchObject({
      kind: 'error',
      code: 'SYSTEM_ERROR',
      retryable: true,
    });
    expect(sandbox.getOrder('Y1')?.tradeState).toBe('NOTPAY');
    expect(await client.closeOrder({ outTradeNo: 'F1' })).toMatchObject({ kind: 'error', code: 'SYSTEM_ERROR' });
    expect(sandbox.getOrder('F1')?.tradeState).toBe('NOTPAY');
    expect(await client.closeOrder({ outTradeNo: 'F1' })).toEqual({ kind: 'closed', fields: {} });
    expect(sandbox.getOrder('F1')?.tradeState).toBe('CLOSED');
  });

  it('says USER_PAYING, retryable, while a code payment waits for the password', async () => {
    sandbox = await startSandbox();
    sandbox.createOrder({ outTradeNo: 'U1', totalFee: 1, tradeType: 'MICROPAY', initialState: 'USERPAYING' });
    expect(await v3Client(sandbox).closeOrder({ outTradeNo: 'U1' })).toMatchObject({
      kind: 'error',
      code: 'USER_PAYING',
      retryable: true,
    });
  });

  it('reverses a code payment, paid or not, and refuses anything else', async () => {
    sandbox = await startSandbox();
    sandbox.createOrder({ outTradeNo: 'M1', totalFee: 1, tradeType: 'MICROPAY', initialState: 'USERPAYING' });
    sandbox.createOrder({ outTradeNo: 'M2', totalFee: 1, tradeType: 'MICROPAY', initialState: 'SUCCESS' });
    sandbox.createOrder({ outTradeNo: 'N1', totalFee: 1, tradeType: 'NATIVE' });
    const client = v3Client(sandbox);
    expect(await client.reverseOrder({ outTradeNo: 'M1' })).toMatchObject({ kind: 'reversed' });
    expect(await client.reverseOrder({ outTradeNo: 'M2' })).toMatchObject({ kind: 'reversed' });
    expect(sandbox.getOrder('M1')?.tradeState).toBe('REVOKED');
    expect(await client.queryOrder({ outTradeNo: 'M2' })).toMatchObject({ kind: 'order', tradeState: 'REVOKED' });
    expect(await client.reverseOrder({ outTradeNo: 'N1' })).toMatchObject({
      kind: 'error',
      code: 'TRADE_ERROR',
      retryable: false,
    });
  });
});

describe('APIv3 faults', () => {
  async function withFault(faults: Parameters<Sandbox['setFaults']>[0], v3Faults = {}) {
    sandbox = await startSandbox({ faults });
    sandbox.setV3Faults(v3Faults);
    sandbox.createOrder({ outTradeNo: 'F1', totalFee: 1, tradeType: 'NATIVE' });
    return v3Client(sandbox)
      .queryOrder({ outTradeNo: 'F1' })
      .catch((err: unknown) => err);
  }

  it('sends unsigned SYSTEM_ERROR and FREQUENCY_LIMITED bodies, retryable errors and never states', async () => {
    expect(await withFault({ systemError: 1 })).toMatchObject({ kind: 'error', code: 'SYSTEM_ERROR', retryable: true });
    await sandbox?.close();
    expect(await withFault({ frequencyLimited: 1 })).toMatchObject({
      kind: 'error',
      code: 'FREQUENCY_LIMITED',
      retryable: true,
    });
    expect(sandbox?.counters().faultsInjected.frequencyLimited).toBe(1);
  });

  it('sends a bad signature, refused as SIGNATURE_INVALID', async () => {
    const err = await withFault({ badSignature: 1 });
    expect(err).toBeInstanceOf(SignatureError);
    expect(err).toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('sends a stale timestamp, refused as SIGNATURE_EXPIRED', async () => {
    expect(await withFault({}, { staleTimestamp: 1 })).toMatchObject({ code: 'SIGNATURE_EXPIRED' });
    expect(sandbox?.counters().v3FaultsInjected).toMatchObject({ staleTimestamp: 1 });
  });

  it('sends a WECHATPAY/SIGNTEST/ probe, refused as SIGNATURE_PROBE', async () => {
    expect(await withFault({}, { signTest: 1 })).toMatchObject({ code: 'SIGNATURE_PROBE', retryable: true });
  });

  it('sends a proxy 502 page and a truncated body as transport errors', async () => {
    const page = await withFault({ html502: 1 });
    expect(page).toBeInstanceOf(TransportError);
    expect(page).toMatchObject({ code: 'HTTP_STATUS', status: 502 });
    await sandbox?.close();
    expect(await withFault({ truncated: 1 })).toBeInstanceOf(SignatureError);
  });

  it('refuses bad v3 fault rates', async () => {
    sandbox = await startSandbox();
    const s = sandbox;
    expect(() => s.setV3Faults({ signTest: 2 })).toThrow(/between 0 and 1/);
    expect(() => s.setV3Faults({ staleTimestamp: 0.6, signTest: 0.6 })).toThrow(/more than 1/);
    expect(() => s.setV3Faults({ nope: 1 } as never)).toThrow(/unknown/);
  });
});
