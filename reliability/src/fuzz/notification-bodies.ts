import fc from 'fast-check';
import type { NotificationExpectation } from './notification-oracle.ts';
import { FUZZ_KEY, type FuzzSignType, independentSign } from './oracle.ts';

/**
 * The kinds of genuine signed body a notify route can be sent: the payment notification itself, and everything
 * else the merchant key signs (orderquery answers in every state, close and reverse answers, refund answers and
 * notifications, failures).
 */
export type ReplayKind =
  | 'payment'
  | `orderquery-${string}`
  | 'closeorder'
  | 'reverse'
  | 'refund-answer'
  | 'refund-notification'
  | 'ordernotexist'
  | 'result-fail'
  | 'return-fail';

/** One genuine body before serialisation, the order it is about and what the route expects. */
export interface NotificationReplay {
  readonly kind: ReplayKind;
  readonly fields: Readonly<Record<string, string>>;
  readonly signType: FuzzSignType;
  readonly expect: NotificationExpectation | undefined;
  readonly edits: readonly string[];
}

const TRADE_STATES = ['SUCCESS', 'REFUND', 'NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR', 'ACCEPT'];
const APPID = 'wxd930ea5d5a258f4f';
const MCH_ID = '10000100';
const SUB_MCH_ID = '1900000109';
const SUB_APPID = 'wxsub0000000001';

interface Order {
  readonly outTradeNo: string;
  readonly transactionId: string;
  readonly totalFee: number;
  readonly feeType: 'CNY' | 'USD' | undefined;
  readonly provider: boolean;
}

const order: fc.Arbitrary<Order> = fc.record({
  outTradeNo: fc.stringMatching(/^[A-Za-z0-9_\-|*]{1,32}$/),
  transactionId: fc.stringMatching(/^4200[0-9]{24}$/),
  totalFee: fc.oneof(fc.constantFrom(1, 101, 10_000), fc.integer({ min: 0, max: 10_000_000 })),
  feeType: fc.constantFrom<Order['feeType']>('CNY', 'CNY', undefined, 'USD'),
  provider: fc.boolean(),
});

function merchant(o: Order): Record<string, string> {
  const fields: Record<string, string> = { appid: APPID, mch_id: MCH_ID };
  if (o.provider) {
    fields['sub_appid'] = SUB_APPID;
    fields['sub_mch_id'] = SUB_MCH_ID;
  }
  return fields;
}

function payment(o: Order): Record<string, string> {
  const fields: Record<string, string> = {
    openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    is_subscribe: 'N',
    trade_type: 'NATIVE',
    bank_type: 'CMC',
    total_fee: String(o.totalFee),
    cash_fee: String(o.totalFee),
    transaction_id: o.transactionId,
    out_trade_no: o.outTradeNo,
    time_end: '20261127071200',
  };
  if (o.feeType !== undefined) fields['fee_type'] = o.feeType;
  return fields;
}

/** The genuine body of `kind` about `o`, as WeChat would sign it (before the sign). */
function genuine(kind: ReplayKind, o: Order, nonce: string): Record<string, string> {
  const head = { return_code: 'SUCCESS', return_msg: 'OK', ...merchant(o), nonce_str: nonce };
  if (kind === 'payment') return { ...head, result_code: 'SUCCESS', ...payment(o) };
  if (kind.startsWith('orderquery-')) {
    const state = kind.slice('orderquery-'.length);
    const paid = state === 'SUCCESS' || state === 'REFUND' || state === 'REVOKED';
    const base = paid
      ? payment(o)
      : { total_fee: String(o.totalFee), out_trade_no: o.outTradeNo, ...(o.feeType ? { fee_type: o.feeType } : {}) };
    return { ...head, result_code: 'SUCCESS', ...base, trade_state: state, trade_state_desc: state };
  }
  if (kind === 'closeorder') return { ...head, result_code: 'SUCCESS', result_msg: 'OK' };
  if (kind === 'reverse') return { ...head, result_code: 'SUCCESS', recall: 'N' };
  if (kind === 'refund-answer') {
    return {
      ...head,
      result_code: 'SUCCESS',
      ...payment(o),
      out_refund_no: `R${o.outTradeNo}`.slice(0, 32),
      refund_id: '50000408942018111907145868882',
      refund_fee: String(o.totalFee),
    };
  }
  if (kind === 'refund-notification') {
    return {
      return_code: 'SUCCESS',
      ...merchant(o),
      nonce_str: nonce,
      req_info: 'T87GAHG17TGAHG1TGHAHAHA1Y1CIOA9UGJH1GAHV871',
    };
  }
  if (kind === 'ordernotexist')
    return { ...head, result_code: 'FAIL', err_code: 'ORDERNOTEXIST', err_code_des: '订单不存在' };
  if (kind === 'result-fail')
    return { ...head, result_code: 'FAIL', err_code: 'SYSTEMERROR', err_code_des: '系统错误', ...payment(o) };
  return { return_code: 'FAIL', return_msg: '签名错误' };
}

const kind: fc.Arbitrary<ReplayKind> = fc.oneof(
  { weight: 5, arbitrary: fc.constant<ReplayKind>('payment') },
  { weight: 4, arbitrary: fc.constantFrom(...TRADE_STATES).map((s): ReplayKind => `orderquery-${s}`) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<ReplayKind>(
      'closeorder',
      'reverse',
      'refund-answer',
      'refund-notification',
      'ordernotexist',
      'result-fail',
      'return-fail',
    ),
  },
);

type Edit = readonly [string, (fields: Record<string, string>, o: Order) => void];

const FIELDS_TO_REMOVE = [
  'transaction_id',
  'out_trade_no',
  'total_fee',
  'time_end',
  'appid',
  'mch_id',
  'sub_mch_id',
  'sub_appid',
  'fee_type',
  'trade_state',
  'result_code',
  'return_code',
];

function set(name: string, value: string): Edit[1] {
  return (fields) => {
    fields[name] = value;
  };
}

/** Field-level edits an attacker (or a confused proxy) makes to a genuine body before posting it again. */
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.constantFrom(...FIELDS_TO_REMOVE).map(
    (name): Edit => [
      `remove ${name}`,
      (f) => {
        delete f[name];
      },
    ],
  ),
  fc.constantFrom(...FIELDS_TO_REMOVE).map((name): Edit => [`empty ${name}`, set(name, '')]),
  fc.constantFrom('1', '100', '10000', '0').map((fee): Edit => [`total_fee ${fee}`, set('total_fee', fee)]),
  fc.constantFrom('CNY', 'USD', 'HKD').map((currency): Edit => [`fee_type ${currency}`, set('fee_type', currency)]),
  fc
    .constantFrom(
      ['appid', 'wx2421b1c4370ec43b'],
      ['mch_id', '10000101'],
      ['sub_mch_id', '1900000110'],
      ['sub_appid', 'wxsubother'],
    )
    .map(([name, value]): Edit => [`${name} of another merchant`, set(name, value)]),
  fc.constant<Edit>([
    'another out_trade_no',
    (f, o) => {
      f['out_trade_no'] = `${o.outTradeNo}X`.slice(-32);
    },
  ]),
  fc
    .constantFrom(...TRADE_STATES, '')
    .map((state): Edit => [`trade_state ${JSON.stringify(state)}`, set('trade_state', state)]),
  fc.constantFrom('SUCCESS', 'FAIL').map((code): Edit => [`result_code ${code}`, set('result_code', code)]),
  fc.constantFrom('MD5', 'HMAC-SHA256').map((type): Edit => [`sign_type ${type}`, set('sign_type', type)]),
  fc
    .constantFrom('refund_id', 'req_info', 'out_refund_no', 'refund_status_0')
    .map((name): Edit => [`add ${name}`, set(name, '1')]),
);

type Signing = 'resign' | 'keep' | 'other-key' | 'other-type' | 'strip';

/** What the route expects: the whole order, only its amount, or nothing (decodeNotification without `expect`). */
function expectation(o: Order, shape: 'full' | 'amount' | 'merchant' | 'none'): NotificationExpectation | undefined {
  if (shape === 'none') return undefined;
  const amount = { totalFee: o.totalFee, ...(o.feeType === 'USD' ? { feeType: 'USD' } : {}) };
  if (shape === 'amount') return amount;
  const ids = { appId: APPID, mchId: MCH_ID, ...(o.provider ? { subMchId: SUB_MCH_ID, subAppId: SUB_APPID } : {}) };
  if (shape === 'merchant') return ids;
  return { ...ids, outTradeNo: o.outTradeNo, ...amount };
}

/**
 * Genuine signed bodies of every kind, some edited field by field and then re-signed with the key (what only a key
 * holder could do: it exercises the rules, not the sign), left with their old sign, signed with another key or
 * algorithm, or stripped of it; about an order the route may or may not expect.
 */
export const notificationReplay: fc.Arbitrary<NotificationReplay> = fc
  .record({
    kind,
    order,
    nonce: fc.stringMatching(/^[A-Za-z0-9]{16,32}$/),
    signType: fc.constantFrom<FuzzSignType>('MD5', 'HMAC-SHA256'),
    edits: fc.oneof(
      { weight: 2, arbitrary: fc.constant<Edit[]>([]) },
      { weight: 3, arbitrary: fc.array(edit, { minLength: 1, maxLength: 3 }) },
    ),
    signing: fc.constantFrom<Signing>('resign', 'resign', 'resign', 'keep', 'other-key', 'other-type', 'strip'),
    shape: fc.constantFrom<'full' | 'amount' | 'merchant' | 'none'>('full', 'full', 'amount', 'merchant', 'none'),
  })
  .map(({ kind, order: o, nonce, signType, edits, signing, shape }): NotificationReplay => {
    const original = genuine(kind, o, nonce);
    // Refund notifications and return_code FAIL bodies are unsigned on the wire, as WeChat sends them.
    const unsigned = kind === 'refund-notification' || kind === 'return-fail';
    const originalSign = unsigned ? undefined : independentSign(original, FUZZ_KEY, signType);
    const fields: Record<string, string> = { ...original };
    for (const [, apply] of edits) apply(fields, o);
    delete fields['sign'];
    let sign: string | undefined;
    if (signing === 'resign')
      sign = unsigned && edits.length === 0 ? undefined : independentSign(fields, FUZZ_KEY, signType);
    else if (signing === 'keep') sign = originalSign;
    else if (signing === 'other-key') sign = independentSign(fields, 'another merchant key 0123456789ab', signType);
    else if (signing === 'other-type')
      sign = independentSign(fields, FUZZ_KEY, signType === 'MD5' ? 'HMAC-SHA256' : 'MD5');
    if (sign !== undefined) fields['sign'] = sign;
    return {
      kind,
      fields,
      signType,
      expect: expectation(o, shape),
      edits: [...edits.map(([name]) => name), `sign: ${signing}`, `expect: ${shape}`],
    };
  });
