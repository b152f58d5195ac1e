import { describe, expect, it } from 'vitest';
import {
  type CloudPayLike,
  createCloudPayClient,
  decodeCloudPayResult,
  InvalidArgumentError,
  MalformedResponseError,
  MismatchError,
  TransportError,
} from '../src/index.ts';

/** What wx-server-sdk's cloud.cloudPay.queryOrder really resolves with: camelCase, numbers, errCode 0. */
const SDK_PAID = {
  returnCode: 'SUCCESS',
  returnMsg: 'OK',
  appid: 'wxd930ea5d5a258f4f',
  mchId: '1230000109',
  subAppid: 'wxsub',
  subMchId: '1900000109',
  nonceStr: '5K8264ILTKCH16CQ',
  sign: 'C380BEC2BFD727A4B6845133519F3AD6',
  resultCode: 'SUCCESS',
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  isSubscribe: 'N',
  subOpenid: 'o-sub',
  subIsSubscribe: 'Y',
  tradeType: 'JSAPI',
  bankType: 'CMC',
  totalFee: 101,
  feeType: 'CNY',
  cashFee: 100,
  couponFee: 1,
  couponCount: 1,
  couponFee_0: 1,
  couponId_0: '10000',
  couponType_0: 'NO_CASH',
  transactionId: '4200001234202511270000000001',
  outTradeNo: 'T20251127-0001',
  timeEnd: '20251127120000',
  tradeState: 'SUCCESS',
  tradeStateDesc: '支付成功',
  errCode: 0,
  errMsg: 'cloudPay.queryOrder:ok',
};

describe('decodeCloudPayResult', () => {
  it('decodes the camelCase SDK shape, numbers included', () => {
    const outcome = decodeCloudPayResult(SDK_PAID, { subMchId: '1900000109', outTradeNo: 'T20251127-0001' });
    if (outcome.kind !== 'order') throw new Error(outcome.kind);
    expect(outcome.tradeState).toBe('SUCCESS');
    expect(outcome.order).toMatchObject({
      totalFee: 101,
      cashFee: 100,
      couponFee: 1,
      coupons: [{ id: '10000', type: 'NO_CASH', fee: 1 }],
      subMchId: '1900000109',
      isSubscribe: false,
      subIsSubscribe: true,
      transactionId: '4200001234202511270000000001',
      paidAt: new Date('2025-11-27T04:00:00.000Z'),
    });
    expect(outcome.fields['coupon_fee_0']).toBe('1');
    expect(outcome.fields['err_code']).toBeUndefined();
    expect(outcome.fields['err_msg']).toBeUndefined();
  });

  it('decodes the snake_case shape of the docs the same way', () => {
    const snake = {
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
      sub_mch_id: '1900000109',
      out_trade_no: 'T1',
      trade_state: 'NOTPAY',
      total_fee: '5',
    };
    const outcome = decodeCloudPayResult(snake, { subMchId: '1900000109', outTradeNo: 'T1' });
    expect(outcome).toMatchObject({ kind: 'order', tradeState: 'NOTPAY', order: { totalFee: 5 } });
  });

  it('recovers ORDERNOTEXIST from errCodeDes when the SDK overwrote errCode with 0', () => {
    const result = {
      returnCode: 'SUCCESS',
      resultCode: 'FAIL',
      errCode: 0,
      errCodeDes: '订单不存在',
      errMsg: 'cloudPay.queryOrder:ok',
    };
    expect(decodeCloudPayResult(result)).toMatchObject({ kind: 'not-found', message: '订单不存在' });
  });

  it('recovers SYSTEMERROR as retryable, keeps an unrecognised failure retryable and unknown', () => {
    const system = { returnCode: 'SUCCESS', resultCode: 'FAIL', errCode: 0, errCodeDes: '系统错误' };
    expect(decodeCloudPayResult(system)).toMatchObject({ kind: 'error', code: 'SYSTEMERROR', retryable: true });
    const other = { returnCode: 'SUCCESS', resultCode: 'FAIL', errCode: 0, errCodeDes: '其他' };
    expect(decodeCloudPayResult(other)).toMatchObject({ kind: 'error', code: 'UNKNOWN', retryable: true });
  });

  it('keeps a real snake_case err_code', () => {
    const result = { return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'NOAUTH', err_code_des: '无权限' };
    expect(decodeCloudPayResult(result)).toMatchObject({ kind: 'error', code: 'NOAUTH', retryable: false });
  });

  it('return_code FAIL is an error outcome', () => {
    expect(decodeCloudPayResult({ returnCode: 'FAIL', returnMsg: '签名错误' })).toMatchObject({
      kind: 'error',
      code: 'RETURN_FAIL',
      retryable: false,
    });
  });

  it('an answer about another sub-merchant or order is a MismatchError', () => {
    expect(() => decodeCloudPayResult(SDK_PAID, { subMchId: '1900000110' })).toThrow(MismatchError);
    expect(() => decodeCloudPayResult(SDK_PAID, { outTradeNo: 'T-other' })).toThrow(MismatchError);
  });

  it('keeps an unknown trade state typed', () => {
    expect(decodeCloudPayResult({ ...SDK_PAID, tradeState: 'NEW_STATE' })).toMatchObject({
      tradeState: { unknown: 'NEW_STATE' },
    });
  });

  it.each([
    ['null', null],
    ['a string', '<xml/>'],
    ['a number', 42],
    ['an array', [SDK_PAID]],
    ['a nested object', { ...SDK_PAID, totalFee: { value: 1 } }],
    ['a boolean', { ...SDK_PAID, isSubscribe: true }],
    ['a fractional amount', { ...SDK_PAID, totalFee: 1.5 }],
    ['an unsafe number', { ...SDK_PAID, totalFee: 2 ** 60 }],
    ['a non-ok errMsg', { ...SDK_PAID, errMsg: 'cloudPay.queryOrder:fail' }],
    ['a dangerous key', JSON.parse('{"returnCode":"SUCCESS","__proto__":"x"}')],
    ['a key outside [A-Za-z0-9_]', { ...SDK_PAID, 'total-fee': '1' }],
    ['both spellings disagreeing', { ...SDK_PAID, total_fee: '999' }],
    ['no return code', { tradeState: 'SUCCESS' }],
  ])('%s is a MalformedResponseError', (_name, result) => {
    expect(() => decodeCloudPayResult(result)).toThrow(MalformedResponseError);
  });
});

function fakeCloud(answer: (params: Readonly<Record<string, string>>) => Promise<unknown>) {
  const calls: Array<Readonly<Record<string, string>>> = [];
  const cloud: CloudPayLike = {
    cloudPay: {
      queryOrder: (params) => {
        calls.push(params);
        return answer(params);
      },
    },
  };
  return { cloud, calls };
}

describe('createCloudPayClient', () => {
  it('calls cloudPay.queryOrder with sub_mch_id, the identifier and a random nonce', async () => {
    const { cloud, calls } = fakeCloud(async () => SDK_PAID);
    const client = createCloudPayClient(cloud, { subMchId: '1900000109' });
    await expect(client.queryOrder({ outTradeNo: 'T20251127-0001' })).resolves.toMatchObject({ kind: 'order' });
    await client.queryOrder({ transactionId: '4200001234202511270000000001' });
    expect(calls[0]).toEqual({
      sub_mch_id: '1900000109',
      out_trade_no: 'T20251127-0001',
      nonce_str: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(calls[1]).toMatchObject({ transaction_id: '4200001234202511270000000001' });
    expect(calls[1]).not.toHaveProperty('out_trade_no');
    expect(calls[0]!['nonce_str']).not.toBe(calls[1]!['nonce_str']);
  });

  it('binds the answer to the order asked for', async () => {
    const { cloud } = fakeCloud(async () => SDK_PAID);
    const client = createCloudPayClient(cloud, { subMchId: '1900000109' });
    await expect(client.queryOrder({ outTradeNo: 'ANOTHER' })).rejects.toBeInstanceOf(MismatchError);
  });

  it('refuses bad options', () => {
    const { cloud } = fakeCloud(async () => SDK_PAID);
    expect(() => createCloudPayClient(cloud, { subMchId: '' })).toThrow(InvalidArgumentError);
    expect(() => createCloudPayClient(cloud, {} as never)).toThrow(InvalidArgumentError);
    expect(() => createCloudPayClient({} as never, { subMchId: '1' })).toThrow(InvalidArgumentError);
    expect(() => createCloudPayClient(cloud, { subMchId: '1', timeoutMs: -1 })).toThrow(InvalidArgumentError);
  });

  it('rejects invalid queries before calling the cloud', async () => {
    const { cloud, calls } = fakeCloud(async () => SDK_PAID);
    const client = createCloudPayClient(cloud, { subMchId: '1900000109' });
    await expect(client.queryOrder({ outTradeNo: 'x'.repeat(33) })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.queryOrder({ outTradeNo: 'a', transactionId: 'b' } as never)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(calls).toHaveLength(0);
  });

  it('maps an SDK rejection to a TransportError with only the message as cause', async () => {
    const failure = Object.assign(new Error('cloud.callFunction:fail timeout'), { config: { secret: 'S' } });
    const { cloud } = fakeCloud(async () => {
      throw failure;
    });
    const err = await createCloudPayClient(cloud, { subMchId: '1' })
      .queryOrder({ outTradeNo: 'A' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'TransportError', code: 'NETWORK', retryable: true });
    expect((err as Error).cause).toBeInstanceOf(Error);
    expect(JSON.stringify((err as Error).cause)).not.toContain('secret');
  });

  it('stops waiting on abort and on the deadline', async () => {
    const { cloud } = fakeCloud(() => new Promise(() => {}));
    const client = createCloudPayClient(cloud, { subMchId: '1', timeoutMs: 20 });
    await expect(client.queryOrder({ outTradeNo: 'A' })).rejects.toMatchObject({ code: 'TIMEOUT' });
    const controller = new AbortController();
    const pending = createCloudPayClient(cloud, { subMchId: '1' }).queryOrder(
      { outTradeNo: 'A' },
      { signal: controller.signal },
    );
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED', retryable: false });
    await expect(client.queryOrder({ outTradeNo: 'A' }, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      TransportError,
    );
  });
});
