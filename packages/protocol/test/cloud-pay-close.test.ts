import { describe, expect, it } from 'vitest';
import { type CloudPayCloseLike, createCloudPayClient, InvalidArgumentError } from '../src/index.ts';

/** What wx-server-sdk's cloud.cloudPay.closeOrder resolves with (camelCase, errCode overwritten with 0). */
const SDK_CLOSED = {
  returnCode: 'SUCCESS',
  returnMsg: 'OK',
  appid: 'wxd678efh567hg6787',
  mchId: '1230000109',
  subAppid: 'wx8888888888888888',
  subMchId: '1900000109',
  nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
  sign: 'C380BEC2BFD727A4B6845133519F3AD6',
  resultCode: 'SUCCESS',
  resultMsg: 'OK',
  errCode: 0,
  errMsg: 'cloudPay.closeOrder:ok',
};

function refusal(errCodeDes: string) {
  return { ...SDK_CLOSED, resultCode: 'FAIL', resultMsg: 'FAIL', errCodeDes };
}

/** A stand-in for wx-server-sdk's `cloud` (there is no local cloud to talk to); it records each call. */
function fakeCloud(close: (params: Readonly<Record<string, string>>) => Promise<unknown>) {
  const calls: Array<{ method: string; params: Readonly<Record<string, string>>; self: unknown }> = [];
  const cloudPay = {
    queryOrder(params: Readonly<Record<string, string>>) {
      calls.push({ method: 'queryOrder', params, self: this });
      return Promise.resolve({});
    },
    closeOrder(params: Readonly<Record<string, string>>) {
      calls.push({ method: 'closeOrder', params, self: this });
      return close(params);
    },
  };
  const cloud: CloudPayCloseLike = { cloudPay };
  return { cloud, calls, cloudPay };
}

describe('createCloudPayClient closeOrder', () => {
  it('calls cloudPay.closeOrder with sub_mch_id, out_trade_no and a fresh nonce, and resolves closed', async () => {
    const { cloud, calls, cloudPay } = fakeCloud(async () => SDK_CLOSED);
    const client = createCloudPayClient(cloud, { subMchId: '1900000109' });
    const { closeOrder } = client; // taken off the client: the SDK still sees its own `this`
    await expect(closeOrder({ outTradeNo: 'T1' })).resolves.toMatchObject({
      kind: 'closed',
      fields: { result_code: 'SUCCESS', sub_mch_id: '1900000109' },
    });
    await client.closeOrder({ outTradeNo: 'T1' });
    expect(calls.map((c) => c.method)).toEqual(['closeOrder', 'closeOrder']);
    expect(calls[0]?.params).toEqual({
      sub_mch_id: '1900000109',
      out_trade_no: 'T1',
      nonce_str: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(calls[0]?.self).toBe(cloudPay);
    expect(calls[0]?.params['nonce_str']).not.toBe(calls[1]?.params['nonce_str']);
  });

  it('a SUCCESS answer about another sub-merchant is a MismatchError, never closed', async () => {
    const { cloud } = fakeCloud(async () => ({ ...SDK_CLOSED, subMchId: '1900000110' }));
    const client = createCloudPayClient(cloud, { subMchId: '1900000109' });
    await expect(client.closeOrder({ outTradeNo: 'T1' })).rejects.toMatchObject({
      name: 'MismatchError',
      field: 'sub_mch_id',
    });
  });

  it.each([
    ['订单已支付，不能发起关单', 'ORDERPAID', false],
    ['订单已关闭，无法重复关闭', 'ORDERCLOSED', false],
    ['系统错误', 'SYSTEMERROR', true],
    ['用户支付中', 'USERPAYING', true],
    ['其他', 'UNKNOWN', true],
  ])('a refusal saying %s is the error %s (retryable %s), recovered from errCodeDes', async (des, code, retryable) => {
    const { cloud } = fakeCloud(async () => refusal(des));
    const outcome = await createCloudPayClient(cloud, { subMchId: '1900000109' }).closeOrder({ outTradeNo: 'T1' });
    expect(outcome).toMatchObject({ kind: 'error', code, retryable, wechatMessage: des });
  });

  it('keeps a snake_case err_code, and a return_code FAIL is RETURN_FAIL', async () => {
    const snake = { return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'ORDERPAID', err_code_des: 'paid' };
    const paid = await createCloudPayClient(fakeCloud(async () => snake).cloud, { subMchId: '1900000109' }).closeOrder({
      outTradeNo: 'T1',
    });
    expect(paid).toMatchObject({ kind: 'error', code: 'ORDERPAID', retryable: false });
    const failed = await createCloudPayClient(
      fakeCloud(async () => ({ returnCode: 'FAIL', returnMsg: '参数格式校验错误' })).cloud,
      { subMchId: '1900000109' },
    ).closeOrder({ outTradeNo: 'T1' });
    expect(failed).toMatchObject({ kind: 'error', code: 'RETURN_FAIL' });
  });

  it.each([
    ['a non-ok errMsg', { ...SDK_CLOSED, errMsg: 'cloudPay.closeOrder:fail' }],
    ['no return code', { resultCode: 'SUCCESS' }],
    ['a result code other than SUCCESS or FAIL', { ...SDK_CLOSED, resultCode: 'MAYBE' }],
    ['not an object', 'closed'],
  ])('%s is a MalformedResponseError', async (_name, result) => {
    const { cloud } = fakeCloud(async () => result);
    await expect(
      createCloudPayClient(cloud, { subMchId: '1900000109' }).closeOrder({ outTradeNo: 'T1' }),
    ).rejects.toMatchObject({ name: 'MalformedResponseError' });
  });

  it('refuses a transaction id or a bad out_trade_no before calling the cloud', async () => {
    const { cloud, calls } = fakeCloud(async () => SDK_CLOSED);
    const client = createCloudPayClient(cloud, { subMchId: '1900000109' });
    await expect(client.closeOrder({ transactionId: '42' } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.closeOrder({ outTradeNo: 'x'.repeat(33) })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(calls).toHaveLength(0);
  });

  it('an SDK rejection is a retryable TransportError; the deadline and an abort stop the wait', async () => {
    const rejecting = fakeCloud(async () => {
      throw new Error('cloud.callFunction:fail');
    });
    await expect(
      createCloudPayClient(rejecting.cloud, { subMchId: '1' }).closeOrder({ outTradeNo: 'A' }),
    ).rejects.toMatchObject({ name: 'TransportError', code: 'NETWORK', retryable: true });
    const hanging = fakeCloud(() => new Promise(() => {}));
    const slow = createCloudPayClient(hanging.cloud, { subMchId: '1', timeoutMs: 20 });
    await expect(slow.closeOrder({ outTradeNo: 'A' })).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(slow.closeOrder({ outTradeNo: 'A' }, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });

  it('a cloud without cloudPay.closeOrder gives a client that cannot close, in its type and at run time', () => {
    const queryOnly = createCloudPayClient({ cloudPay: { queryOrder: async () => ({}) } }, { subMchId: '1' });
    // @ts-expect-error: the client of a cloud that cannot close has no closeOrder
    expect(queryOnly.closeOrder).toBeUndefined();
    expect(() =>
      createCloudPayClient({ cloudPay: { queryOrder: async () => ({}), closeOrder: 'no' } } as never, {
        subMchId: '1',
      }),
    ).toThrow(InvalidArgumentError);
  });
});
