import { createPayClient, InvalidArgumentError, type PayClient } from '@tradestate/protocol';
import { verifySignature } from '@tradestate/protocol/codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_MIN_AGE_MS, defaultMerchant, type Sandbox, type SandboxOrder, startSandbox } from '../src/index.ts';
import { control, waitFor } from './helpers.ts';

// WeChat's settling rules, as a close or reverse loop meets them: the 5-minute rule, ORDERPAID, SYSTEMERROR on
// close, recall=Y on reverse.
const TIME_SCALE = 0.001; // WeChat's 5 minutes become 300 ms
let sandbox: Sandbox;
let client: PayClient;
beforeAll(async () => {
  sandbox = await startSandbox({ timeScale: TIME_SCALE });
  client = createPayClient({ ...defaultMerchant, baseURL: sandbox.url, timeoutMs: 2000 });
});
afterAll(() => sandbox.close());

function order(outTradeNo: string): SandboxOrder {
  const found = sandbox.getOrder(outTradeNo);
  if (found === undefined) throw new Error(`no order ${outTradeNo}`);
  return found;
}

describe('the 5-minute rule, in scaled time', () => {
  it('a close sooner than 5 minutes after creation is a signed, retryable SYSTEMERROR and the order stays NOTPAY', async () => {
    sandbox.createOrder({ outTradeNo: 'EARLY1', totalFee: 1, tradeType: 'NATIVE', ageMs: 4 * 60_000 });
    const early = await client.closeOrder({ outTradeNo: 'EARLY1' });
    expect(early).toMatchObject({ kind: 'error', code: 'SYSTEMERROR', retryable: true });
    expect(early.kind === 'error' && early.wechatMessage).toContain('5分钟');
    expect(verifySignature(early.fields, defaultMerchant.key, 'MD5')).toBe(true);
    expect(order('EARLY1').tradeState).toBe('NOTPAY');
  });

  it('the same close succeeds once the scaled 5 minutes have passed', async () => {
    const created = sandbox.createOrder({ outTradeNo: 'EARLY2', totalFee: 1, tradeType: 'NATIVE' });
    expect(await client.closeOrder({ outTradeNo: 'EARLY2' })).toMatchObject({ kind: 'error', code: 'SYSTEMERROR' });
    const closableAt = Date.parse(created.createdAt) + CLOSE_MIN_AGE_MS * TIME_SCALE;
    await waitFor(() => Date.now() >= closableAt);
    expect(await client.closeOrder({ outTradeNo: 'EARLY2' })).toMatchObject({ kind: 'closed' });
    expect(await client.queryOrder({ outTradeNo: 'EARLY2' })).toMatchObject({ tradeState: 'CLOSED' });
  });

  it('an order created CLOSE_MIN_AGE_MS ago closes at once', async () => {
    const created = sandbox.createOrder({
      outTradeNo: 'AGED1',
      totalFee: 1,
      tradeType: 'NATIVE',
      ageMs: CLOSE_MIN_AGE_MS,
    });
    expect(Date.now() - Date.parse(created.createdAt)).toBeGreaterThanOrEqual(CLOSE_MIN_AGE_MS * TIME_SCALE);
    expect(await client.closeOrder({ outTradeNo: 'AGED1' })).toMatchObject({ kind: 'closed' });
  });

  it('a payment that landed before the close makes it ORDERPAID, final, and the order stays paid', async () => {
    sandbox.createOrder({
      outTradeNo: 'LATEPAY1',
      totalFee: 1,
      tradeType: 'NATIVE',
      ageMs: CLOSE_MIN_AGE_MS,
      script: [{ afterMs: CLOSE_MIN_AGE_MS - 1, tradeState: 'SUCCESS' }],
    });
    expect(await client.closeOrder({ outTradeNo: 'LATEPAY1' })).toMatchObject({
      kind: 'error',
      code: 'ORDERPAID',
      retryable: false,
    });
    expect(order('LATEPAY1').tradeState).toBe('SUCCESS');
  });
});

describe('an order created in the past (ageMs)', () => {
  it('sets createdAt back by the scaled age and applies the script steps already due, at their due instants', () => {
    const before = Date.now();
    const created = sandbox.createOrder({
      outTradeNo: 'AGED2',
      totalFee: 1,
      tradeType: 'NATIVE',
      ageMs: 120_000,
      script: [
        { afterMs: 60_000, tradeState: 'SUCCESS' },
        { afterMs: 600_000, tradeState: 'REFUND' },
      ],
    });
    const createdAt = Date.parse(created.createdAt);
    expect(createdAt).toBeLessThanOrEqual(before - 120);
    expect(created.tradeState).toBe('SUCCESS');
    expect(created.history.map((h) => h.tradeState)).toEqual(['NOTPAY', 'SUCCESS']);
    expect(Date.parse(created.history[1]?.at ?? '')).toBe(createdAt + 60);
    expect(created.pendingScript.map((s) => s.tradeState)).toEqual(['REFUND']);
  });

  it.each([
    ['a negative ageMs', { ageMs: -1 }],
    ['a non-number ageMs', { ageMs: '300000' }],
    ['an ageMs over 30 days', { ageMs: 31 * 24 * 3600 * 1000 }],
    ['a fractional closeFailures', { closeFailures: 1.5 }],
    ['a negative reverseRecalls', { reverseRecalls: -1 }],
    ['too many reverseRecalls', { reverseRecalls: 101 }],
  ])('refuses %s with an InvalidArgumentError naming it', (_name, extra) => {
    const spec = { outTradeNo: 'BADSPEC', totalFee: 1, tradeType: 'NATIVE' as const, ...extra };
    const name = Object.keys(extra)[0] as string;
    expect(() => sandbox.createOrder(spec as never)).toThrow(InvalidArgumentError);
    expect(() => sandbox.createOrder(spec as never)).toThrow(name);
    expect(sandbox.getOrder('BADSPEC')).toBeUndefined();
  });

  it('is available over the control API too', async () => {
    const { status, json } = await control(sandbox, 'POST', 'orders', {
      outTradeNo: 'AGED3',
      totalFee: 1,
      tradeType: 'NATIVE',
      ageMs: CLOSE_MIN_AGE_MS,
      closeFailures: 2,
    });
    expect(status).toBe(201);
    expect(json).toMatchObject({ outTradeNo: 'AGED3', closeFailuresLeft: 2, reverseRecallsLeft: 0 });
    const refused = await control(sandbox, 'POST', 'orders', {
      outTradeNo: 'AGED4',
      totalFee: 1,
      tradeType: 'NATIVE',
      ageMs: -5,
    });
    expect(refused).toMatchObject({ status: 400, json: { error: { code: 'INVALID_ARGUMENT' } } });
  });
});

describe('closeFailures: SYSTEMERROR on close, for a close that is retried', () => {
  it('answers the first close SYSTEMERROR without closing, then closes', async () => {
    sandbox.createOrder({
      outTradeNo: 'SYS1',
      totalFee: 1,
      tradeType: 'NATIVE',
      ageMs: CLOSE_MIN_AGE_MS,
      closeFailures: 1,
    });
    expect(await client.closeOrder({ outTradeNo: 'SYS1' })).toMatchObject({
      kind: 'error',
      code: 'SYSTEMERROR',
      retryable: true,
    });
    expect(order('SYS1')).toMatchObject({ tradeState: 'NOTPAY', closeFailuresLeft: 0 });
    expect(await client.closeOrder({ outTradeNo: 'SYS1' })).toMatchObject({ kind: 'closed' });
    expect(order('SYS1').tradeState).toBe('CLOSED');
  });

  it('fails the close even of a paid order (WeChat failed before reading it), then says ORDERPAID', async () => {
    sandbox.createOrder({
      outTradeNo: 'SYS2',
      totalFee: 1,
      tradeType: 'NATIVE',
      initialState: 'SUCCESS',
      closeFailures: 1,
    });
    expect(await client.closeOrder({ outTradeNo: 'SYS2' })).toMatchObject({ code: 'SYSTEMERROR' });
    expect(await client.closeOrder({ outTradeNo: 'SYS2' })).toMatchObject({ code: 'ORDERPAID' });
  });
});

describe('reverseRecalls: recall=Y, then N', () => {
  it('the first reverse of a USERPAYING micropay says recall=Y and reverses nothing; the next reverses', async () => {
    sandbox.createOrder({
      outTradeNo: 'RECALL1',
      totalFee: 1,
      tradeType: 'MICROPAY',
      initialState: 'USERPAYING',
      reverseRecalls: 1,
    });
    const first = await client.reverseOrder({ outTradeNo: 'RECALL1' });
    expect(first).toMatchObject({ kind: 'error', code: 'SYSTEMERROR', retryable: true, fields: { recall: 'Y' } });
    expect(verifySignature(first.fields, defaultMerchant.key, 'MD5')).toBe(true);
    expect(order('RECALL1')).toMatchObject({ tradeState: 'USERPAYING', reverseRecallsLeft: 0 });
    const second = await client.reverseOrder({ outTradeNo: 'RECALL1' });
    expect(second).toMatchObject({ kind: 'reversed', fields: { recall: 'N' } });
    expect(order('RECALL1').tradeState).toBe('REVOKED');
  });

  it('recalls as many times as asked, then reverses a micropay paid meanwhile (refunded: REVOKED)', async () => {
    sandbox.createOrder({
      outTradeNo: 'RECALL2',
      totalFee: 1,
      tradeType: 'MICROPAY',
      initialState: 'USERPAYING',
      reverseRecalls: 2,
    });
    const recalls: string[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const outcome = await client.reverseOrder({ outTradeNo: 'RECALL2' });
      recalls.push(outcome.fields['recall'] ?? '');
      if (attempt === 0) sandbox.setTradeState('RECALL2', 'SUCCESS');
    }
    expect(recalls).toEqual(['Y', 'Y']);
    expect(order('RECALL2').tradeState).toBe('SUCCESS');
    expect(await client.reverseOrder({ outTradeNo: 'RECALL2' })).toMatchObject({ kind: 'reversed' });
    expect(order('RECALL2').tradeState).toBe('REVOKED');
  });
});
