import { describe, expect, it } from 'vitest';
import { parseXml, verifySignature } from '../src/codec.ts';
import { assertExpected, bindExpected } from '../src/expect.ts';
import {
  type CloudPayLike,
  createCloudPayClient,
  decodeCloudPayResult,
  decodeOrderQuery,
  type ExpectedAnswer,
  InvalidArgumentError,
  MismatchError,
} from '../src/index.ts';
import { KEY, PAID_FIELDS, signedXml } from './fixtures.ts';
import type { Handler } from './http-server.ts';
import { clientOf, serverPool } from './pay-client-harness.ts';

const MD5 = { key: KEY, signType: 'MD5' } as const;
const { transaction_id: _id, time_end: _end, bank_type: _bank, ...UNPAID } = PAID_FIELDS;

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('assertExpected and decodeOrderQuery: the amount', () => {
  const paid = signedXml(PAID_FIELDS);

  it('a paid answer for another amount or currency is a MismatchError naming the field', () => {
    for (const [field, expectation] of [
      ['total_fee', { totalFee: 10_000 }],
      ['total_fee', { totalFee: 1 }],
      ['fee_type', { totalFee: 101, feeType: 'USD' }],
      ['fee_type', { feeType: 'HKD' }],
    ] as const) {
      const err = thrown(() => decodeOrderQuery(paid, { ...MD5, expect: expectation }));
      expect(err).toBeInstanceOf(MismatchError);
      expect(err).toMatchObject({ field, retryable: false });
    }
    expect(decodeOrderQuery(paid, { ...MD5, expect: { totalFee: 101 } }).kind).toBe('order');
    expect(decodeOrderQuery(paid, { ...MD5, expect: { totalFee: 101, feeType: 'CNY' } }).kind).toBe('order');
  });

  it('an answer saying SUCCESS or REFUND must carry the amount; one saying NOTPAY need not', () => {
    const { total_fee: _fee, ...noAmount } = PAID_FIELDS;
    for (const state of ['SUCCESS', 'REFUND']) {
      const body = signedXml({ ...noAmount, trade_state: state });
      expect(thrown(() => decodeOrderQuery(body, { ...MD5, expect: { totalFee: 101 } }))).toMatchObject({
        field: 'total_fee',
      });
    }
    const { total_fee: _none, ...unpaidNoAmount } = UNPAID;
    const notpay = signedXml({ ...unpaidNoAmount, trade_state: 'NOTPAY' });
    expect(decodeOrderQuery(notpay, { ...MD5, expect: { totalFee: 101 } }).kind).toBe('order');
  });

  it('an unpaid answer that names another amount is refused too: what it carries must match', () => {
    const notpay = signedXml({ ...UNPAID, trade_state: 'NOTPAY', total_fee: '1' });
    expect(thrown(() => decodeOrderQuery(notpay, { ...MD5, expect: { totalFee: 101 } }))).toMatchObject({
      field: 'total_fee',
    });
  });

  it('an answer without fee_type is CNY', () => {
    const { fee_type: _cny, ...plain } = PAID_FIELDS;
    const body = signedXml(plain);
    expect(decodeOrderQuery(body, { ...MD5, expect: { totalFee: 101 } }).kind).toBe('order');
    expect(thrown(() => decodeOrderQuery(body, { ...MD5, expect: { totalFee: 101, feeType: 'USD' } }))).toMatchObject({
      field: 'fee_type',
    });
  });

  it('the amount is compared as WeChat writes it: no leading zeros, no decimals', () => {
    expect(
      thrown(() =>
        decodeOrderQuery(signedXml({ ...PAID_FIELDS, total_fee: '0101' }), { ...MD5, expect: { totalFee: 101 } }),
      ),
    ).toMatchObject({ field: 'total_fee' });
  });

  it.each([1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '101' as unknown as number])(
    'expect.totalFee %s is an InvalidArgumentError, not a silent refusal of every answer',
    (totalFee) => {
      expect(thrown(() => decodeOrderQuery(paid, { ...MD5, expect: { totalFee } }))).toBeInstanceOf(
        InvalidArgumentError,
      );
    },
  );

  it('assertExpected with requireOrder "payment" demands the expected merchant be named', () => {
    const { mch_id: _m, ...anonymous } = PAID_FIELDS;
    expect(() => assertExpected(anonymous, { mchId: '10000100' }, true)).not.toThrow();
    expect(() => assertExpected(anonymous, { mchId: '10000100' }, 'payment')).toThrow(MismatchError);
    expect(() => assertExpected(anonymous, { subAppId: 'wxsub' }, 'payment')).not.toThrow();
  });
});

describe('decodeOrderQuery: merchant and sub-merchant', () => {
  const sp = { ...PAID_FIELDS, sub_appid: 'wxsub', sub_mch_id: '1900000109' };
  const bound: ExpectedAnswer = {
    appId: 'wx2421b1c4370ec43b',
    mchId: '10000100',
    subAppId: 'wxsub',
    subMchId: '1900000109',
  };

  it.each([
    ['appid', { appId: 'wxd930ea5d5a258f4f' }],
    ['mch_id', { mchId: '10000101' }],
    ['sub_appid', { subAppId: 'wxother' }],
    ['sub_mch_id', { subMchId: '1900000110' }],
  ] as const)('a verified answer about another %s is a MismatchError', (field, other) => {
    const err = thrown(() => decodeOrderQuery(signedXml(sp), { ...MD5, expect: { ...bound, ...other } }));
    expect(err).toMatchObject({ name: 'MismatchError', field });
  });
});

describe('bindExpected: the client’s ids win, the caller narrows', () => {
  const merchant = { appId: 'wxA', mchId: '1', subAppId: undefined, subMchId: undefined };

  it('keeps the client’s merchant over the caller’s', () => {
    const bound = bindExpected(merchant, { appId: 'wxB', mchId: '2', totalFee: 5 }, { outTradeNo: 'A1' });
    expect(bound).toMatchObject({ appId: 'wxA', mchId: '1', totalFee: 5, outTradeNo: 'A1' });
  });

  it('keeps a caller’s sub-merchant when the client has none (an undefined id does not erase it)', () => {
    const bound = bindExpected(merchant, { subMchId: '1900000109', subAppId: 'wxsub' }, { outTradeNo: 'A1' });
    expect(bound).toMatchObject({ subMchId: '1900000109', subAppId: 'wxsub' });
  });

  it('keeps the order asked for over the caller’s', () => {
    expect(bindExpected(merchant, { outTradeNo: 'B2' }, { outTradeNo: 'A1' }).outTradeNo).toBe('A1');
    expect(bindExpected(merchant, { outTradeNo: 'B2' }, { transactionId: '42' })).toMatchObject({
      outTradeNo: 'B2',
      transactionId: '42',
    });
  });
});

describe('queryOrder, closeOrder, reverseOrder over HTTP: QueryOptions.expect is bound', () => {
  const serve = serverPool();

  /** Answers like WeChat about the order asked, with `change` applied, signed with the merchant key. */
  function wechat(change: Record<string, string | undefined> = {}, base = PAID_FIELDS): Handler {
    return (_req, res, body) => {
      const request = parseXml(body);
      if (!verifySignature(request, KEY, 'MD5')) {
        res.end('<xml><return_code>FAIL</return_code><return_msg>签名错误</return_msg></xml>');
        return;
      }
      res.end(
        signedXml({
          ...base,
          appid: request['appid'],
          mch_id: request['mch_id'],
          sub_appid: request['sub_appid'],
          sub_mch_id: request['sub_mch_id'],
          out_trade_no: request['out_trade_no'] ?? base['out_trade_no'],
          ...change,
        }),
      );
    };
  }

  it('a paid answer for 1 fen is refused when the order is 10,000 fen', async () => {
    const server = await serve(wechat({ total_fee: '1', cash_fee: '1' }));
    const c = clientOf(server);
    await expect(c.queryOrder({ outTradeNo: 'A1' }, { expect: { totalFee: 10_000 } })).rejects.toMatchObject({
      name: 'MismatchError',
      field: 'total_fee',
    });
    expect(await c.queryOrder({ outTradeNo: 'A1' }, { expect: { totalFee: 1 } })).toMatchObject({ kind: 'order' });
  });

  it('a bad expect.totalFee is an InvalidArgumentError before any request, on every client call', async () => {
    const server = await serve(wechat());
    const c = clientOf(server);
    await expect(c.queryOrder({ outTradeNo: 'A1' }, { expect: { totalFee: 10.5 } })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(c.closeOrder({ outTradeNo: 'A1' }, { expect: { totalFee: Number.NaN } })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(
      c.reverseOrder({ outTradeNo: 'A1' }, { expect: { totalFee: 1, feeType: 'rmb' } }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(server.received).toHaveLength(0);
    const cloud = createCloudPayClient({ cloudPay: { queryOrder: async () => ({}) } }, { subMchId: '1900000109' });
    await expect(cloud.queryOrder({ outTradeNo: 'T1' }, { expect: { totalFee: -5 } })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('a paid answer in another currency is refused', async () => {
    const server = await serve(wechat({ fee_type: 'USD' }));
    await expect(
      clientOf(server).queryOrder({ outTradeNo: 'A1' }, { expect: { totalFee: 101 } }),
    ).rejects.toMatchObject({
      field: 'fee_type',
    });
  });

  it.each([
    ['appid', { appid: 'wxd930ea5d5a258f4f' }],
    ['mch_id', { mch_id: '10000101' }],
    ['sub_mch_id', { sub_mch_id: '1900000110' }],
    ['sub_appid', { sub_appid: 'wxother' }],
  ] as const)('an answer signed with the shared key about another %s is refused', async (field, change) => {
    const server = await serve(wechat(change));
    const c = clientOf(server, { subMchId: '1900000109', subAppId: 'wxsub' });
    await expect(c.queryOrder({ outTradeNo: 'A1' })).rejects.toMatchObject({ name: 'MismatchError', field });
  });

  it('a caller cannot widen the binding to another merchant, but can narrow it to a sub-merchant', async () => {
    const other = await serve(wechat({ mch_id: '10000101' }));
    await expect(
      clientOf(other).queryOrder({ outTradeNo: 'A1' }, { expect: { mchId: '10000101' } }),
    ).rejects.toMatchObject({
      field: 'mch_id',
    });
    const sub = await serve(wechat({ sub_mch_id: '1900000110' }));
    await expect(
      clientOf(sub).queryOrder({ outTradeNo: 'A1' }, { expect: { subMchId: '1900000109' } }),
    ).rejects.toMatchObject({
      field: 'sub_mch_id',
    });
  });

  it('closeOrder and reverseOrder bind the merchant and the caller’s expectation too', async () => {
    const closed = { return_code: 'SUCCESS', nonce_str: 'n1', result_code: 'SUCCESS' };
    const server = await serve(wechat({ mch_id: '10000101' }, closed));
    await expect(clientOf(server).closeOrder({ outTradeNo: 'A1' })).rejects.toMatchObject({ field: 'mch_id' });
    await expect(clientOf(server).reverseOrder({ outTradeNo: 'A1' })).rejects.toMatchObject({ field: 'mch_id' });
    // A close answer names no amount: the amount binds nothing there, and the order asked for still wins.
    const fine = await serve(wechat({}, closed));
    expect(
      await clientOf(fine).closeOrder({ outTradeNo: 'A1' }, { expect: { totalFee: 10_000, outTradeNo: 'B2' } }),
    ).toMatchObject({
      kind: 'closed',
    });
    const recalled = await serve(wechat({ recall: 'N', out_trade_no: 'B2' }, closed));
    await expect(
      clientOf(recalled).reverseOrder({ outTradeNo: 'A1' }, { expect: { outTradeNo: 'B2' } }),
    ).rejects.toMatchObject({ field: 'out_trade_no' });
  });
});

describe('CloudPay: the amount and the sub-merchant are bound', () => {
  const paid = {
    returnCode: 'SUCCESS',
    resultCode: 'SUCCESS',
    subMchId: '1900000109',
    outTradeNo: 'T1',
    transactionId: '4200001234202511270000000001',
    tradeState: 'SUCCESS',
    totalFee: 1,
    timeEnd: '20251127120000',
    errMsg: 'cloudPay.queryOrder:ok',
  };
  const cloud = (result: unknown): CloudPayLike => ({ cloudPay: { queryOrder: async () => result } });

  it('decodeCloudPayResult refuses another amount or currency', () => {
    expect(() => decodeCloudPayResult(paid, { totalFee: 10_000 })).toThrow(MismatchError);
    expect(() => decodeCloudPayResult({ ...paid, feeType: 'USD' }, { totalFee: 1 })).toThrow(MismatchError);
    expect(decodeCloudPayResult(paid, { totalFee: 1 }).kind).toBe('order');
  });

  it('queryOrder binds QueryOptions.expect, and its own sub-merchant wins', async () => {
    const client = createCloudPayClient(cloud(paid), { subMchId: '1900000109' });
    await expect(client.queryOrder({ outTradeNo: 'T1' }, { expect: { totalFee: 10_000 } })).rejects.toMatchObject({
      name: 'MismatchError',
      field: 'total_fee',
    });
    expect(await client.queryOrder({ outTradeNo: 'T1' }, { expect: { totalFee: 1, subMchId: 'other' } })).toMatchObject(
      {
        kind: 'order',
      },
    );
    const other = createCloudPayClient(cloud({ ...paid, subMchId: '1900000110' }), { subMchId: '1900000109' });
    await expect(other.queryOrder({ outTradeNo: 'T1' }, { expect: { subMchId: '1900000110' } })).rejects.toMatchObject({
      field: 'sub_mch_id',
    });
  });
});
