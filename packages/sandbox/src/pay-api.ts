import type { SignType } from '@tradestate/protocol';
import { parseXml, verifySignature } from '@tradestate/protocol/codec';
import { type PayAnswer, resultFail, returnFail, type Signer, signedAnswer } from './answers.ts';
import type { ExclusiveFault } from './faults.ts';
import type { MerchantDirectory } from './merchants.ts';
import { merchantFields, orderStateFields, type WireDraft } from './order-fields.ts';
import type { OrderRecord } from './order-record.ts';
import type { OrderStore } from './order-store.ts';

/** The WeChat Pay v2 endpoints the sandbox serves. */
export const PAY_PATHS: ReadonlySet<string> = new Set(['/pay/orderquery', '/pay/closeorder', '/secapi/pay/reverse']);

/** The largest request body read; WeChat's requests are a few hundred bytes. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** The answer and the fault that actually shaped it (a fault that cannot apply is not injected). */
export interface PayResult {
  readonly answer: PayAnswer;
  readonly injected: ExclusiveFault | undefined;
}

/**
 * WeChat's rule: "订单生成后不能马上调用关单接口，最短调用时间间隔为5分钟" (an order cannot be closed until 5 minutes
 * after its creation; closeorder API docs, and CloudPay.closeOrder's). The sandbox applies it in scaled time
 * (`timeScale`); an earlier close is answered `result_code` FAIL `SYSTEMERROR` and changes nothing.
 *
 * @example
 * ```ts
 * sandbox.createOrder({ outTradeNo: 'A1', totalFee: 1, tradeType: 'NATIVE', ageMs: CLOSE_MIN_AGE_MS }); // closable now
 * ```
 */
export const CLOSE_MIN_AGE_MS = 5 * 60_000;

/**
 * WeChat documents the 5-minute rule but not its answer. A signed `result_code` FAIL `SYSTEMERROR` is the closest
 * documented one: the close did not happen and calling again (later) may work, which is what a client must do.
 */
/** What the sandbox answers to a close within {@link CLOSE_MIN_AGE_MS} of creation (WeChat documents no text). */
export const TOO_EARLY_DES = '订单生成后5分钟内不能关单，请稍后再试';

/** What answering needs. */
export interface PayContext {
  readonly directory: MerchantDirectory;
  readonly store: OrderStore;
  /** {@link CLOSE_MIN_AGE_MS} scaled by the sandbox's `timeScale`. */
  readonly closeMinAgeMs: number;
}

const AUTH_FAULTS: ReadonlySet<ExclusiveFault | undefined> = new Set(['systemError', 'frequencyLimited']);

function plain(answer: PayAnswer): PayResult {
  return { answer, injected: undefined };
}

/** A merchant and algorithm authenticated from the request's own sign. */
interface Caller {
  readonly signer: Signer;
  readonly mchId: string;
  readonly subMchId: string | undefined;
  /** The merchant fields echoed in every answer. */
  readonly base: WireDraft;
  readonly nonce: string | undefined;
  readonly outTradeNo: string | undefined;
  readonly transactionId: string | undefined;
}

/**
 * The checks WeChat makes before reading the business fields, in its order: a body, XML, a known merchant, the
 * app id, the algorithm, the sign, the sub-merchant. Every failure here is `return_code` FAIL, unsigned.
 */
function authenticate(body: Buffer | undefined, directory: MerchantDirectory): Caller | PayAnswer {
  if (body === undefined) return returnFail('XML格式错误', 'XML_FORMAT_ERROR');
  if (body.length === 0) return returnFail('post数据为空', 'POST_DATA_EMPTY');
  let fields: Record<string, string>;
  try {
    fields = parseXml(body, { maxBytes: MAX_REQUEST_BYTES });
  } catch {
    return returnFail('XML格式错误', 'XML_FORMAT_ERROR');
  }
  const appId = fields['appid'];
  const mchId = fields['mch_id'];
  if (!appId || !mchId) return returnFail('缺少参数', 'LACK_PARAMS');
  const merchant = directory.get(mchId);
  if (merchant === undefined) return returnFail('商户号mch_id不存在', 'MCHID_NOT_EXIST');
  if (merchant.appId !== appId) return returnFail('appid和mch_id不匹配', 'APPID_MCHID_NOT_MATCH');
  const signTypeField = fields['sign_type'];
  if (
    signTypeField !== undefined &&
    signTypeField !== '' &&
    signTypeField !== 'MD5' &&
    signTypeField !== 'HMAC-SHA256'
  ) {
    return returnFail('sign_type参数格式错误', 'SIGNERROR');
  }
  const signType: SignType = signTypeField === 'HMAC-SHA256' ? 'HMAC-SHA256' : 'MD5';
  if (!verifySignature(fields, merchant.key, signType)) return returnFail('签名错误', 'SIGNERROR');

  const subMchId = fields['sub_mch_id'] || undefined;
  const subAppId = fields['sub_appid'] || undefined;
  if (subMchId !== undefined) {
    const sub = directory.subMerchant(mchId, subMchId);
    if (sub === undefined) return returnFail('子商户号sub_mch_id与服务商商户号不匹配', 'NOAUTH');
    if (subAppId !== undefined && sub.subAppId !== undefined && sub.subAppId !== subAppId) {
      return returnFail('sub_appid与sub_mch_id不匹配', 'SUB_APPID_MCHID_NOT_MATCH');
    }
  } else if (subAppId !== undefined) return returnFail('缺少参数sub_mch_id', 'LACK_PARAMS');

  return {
    signer: { key: merchant.key, signType },
    mchId,
    subMchId,
    base: { appid: appId, mch_id: mchId, sub_appid: subAppId, sub_mch_id: subMchId },
    nonce: fields['nonce_str'] || undefined,
    outTradeNo: fields['out_trade_no'] || undefined,
    transactionId: fields['transaction_id'] || undefined,
  };
}

/**
 * Answers one pay request as WeChat would, with at most one answer-level fault. `body` is undefined when the
 * request was over {@link MAX_REQUEST_BYTES}. Transport faults (hang, reset, html502, truncated) are the
 * server's business, not this function's.
 */
export function answerPay(
  path: string,
  body: Buffer | undefined,
  fault: ExclusiveFault | undefined,
  ctx: PayContext,
): PayResult {
  if (fault === 'returnFail') {
    return { answer: returnFail('系统繁忙,请稍后再试', 'RETURN_FAIL'), injected: 'returnFail' };
  }
  const caller = authenticate(body, ctx.directory);
  if ('body' in caller) return plain(caller);
  const corrupt = fault === 'badSignature';
  const base = caller.base;
  if (caller.nonce === undefined) {
    return withFault(resultFail(base, caller.signer, 'LACK_PARAMS', '缺少参数nonce_str', corrupt), corrupt);
  }
  if (AUTH_FAULTS.has(fault)) {
    const answer =
      fault === 'systemError'
        ? resultFail(base, caller.signer, 'SYSTEMERROR', '系统错误')
        : resultFail(base, caller.signer, 'FREQUENCY_LIMITED', '频率限制，请稍后再试');
    return { answer, injected: fault };
  }
  const { outTradeNo, transactionId } = caller;
  if (path === '/pay/closeorder') return closeOrder(caller, base, outTradeNo, ctx, corrupt);
  if (outTradeNo === undefined && transactionId === undefined) {
    const des = '缺少参数transaction_id或out_trade_no';
    return withFault(resultFail(base, caller.signer, 'LACK_PARAMS', des, corrupt), corrupt);
  }
  const record = ctx.store.lookup(caller.mchId, caller.subMchId, outTradeNo, transactionId);
  if (path === '/secapi/pay/reverse') return reverse(caller, base, record, transactionId, ctx.store, corrupt);
  return orderQuery(caller, base, record, fault, corrupt);
}

function withFault(answer: PayAnswer, corrupt: boolean): PayResult {
  return { answer, injected: corrupt ? 'badSignature' : undefined };
}

function orderQuery(
  caller: Caller,
  base: WireDraft,
  record: OrderRecord | undefined,
  fault: ExclusiveFault | undefined,
  corrupt: boolean,
): PayResult {
  if (record === undefined) {
    return withFault(resultFail(base, caller.signer, 'ORDERNOTEXIST', '此交易订单号不存在', corrupt), corrupt);
  }
  record.queries++;
  const history = record.history;
  // A lagging replica: the previous state, correctly signed. An order with one state has nothing older to show.
  const stale = fault === 'staleState' && history.length >= 2;
  const state = stale ? (history[history.length - 2] as (typeof history)[number]).state : record.state;
  let cached = record.answerCache;
  if (cached === undefined || cached.state !== state) {
    // An order's fields only change with its state: build them once per state, not once per query.
    cached = {
      state,
      fields: { ...merchantFields(record), result_code: 'SUCCESS', ...orderStateFields(record, state) },
    };
    if (!stale) record.answerCache = cached;
  }
  const answer = signedAnswer(cached.fields, caller.signer, state, corrupt);
  return { answer, injected: stale ? 'staleState' : corrupt ? 'badSignature' : undefined };
}

function closeOrder(
  caller: Caller,
  base: WireDraft,
  outTradeNo: string | undefined,
  ctx: PayContext,
  corrupt: boolean,
): PayResult {
  const fail = (code: string, des: string) => withFault(resultFail(base, caller.signer, code, des, corrupt), corrupt);
  if (outTradeNo === undefined) return fail('LACK_PARAMS', '缺少参数out_trade_no');
  const { store } = ctx;
  const record = store.lookup(caller.mchId, caller.subMchId, outTradeNo, undefined);
  if (record === undefined) return fail('ORDERNOTEXIST', '订单不存在');
  if (record.closeFailuresLeft > 0) {
    // OrderSpec.closeFailures: WeChat failed before reading the order's state.
    record.closeFailuresLeft--;
    return fail('SYSTEMERROR', '系统错误');
  }
  switch (record.state) {
    case 'SUCCESS':
    case 'REFUND':
      return fail('ORDERPAID', '订单已支付，不能发起关单');
    case 'CLOSED':
    case 'REVOKED':
      return fail('ORDERCLOSED', '订单已关闭，无法重复关闭');
    case 'USERPAYING':
      return fail('USERPAYING', '用户支付中，不能发起关单');
    case 'PAYERROR':
      return fail('TRADE_ERROR', '订单状态错误');
    case 'NOTPAY':
    case 'ACCEPT':
      if (store.currentTime() - record.createdAt < ctx.closeMinAgeMs) return fail('SYSTEMERROR', TOO_EARLY_DES);
      store.transition(record, 'CLOSED');
      return withFault(
        signedAnswer({ ...base, result_code: 'SUCCESS', result_msg: 'OK' }, caller.signer, 'CLOSED', corrupt),
        corrupt,
      );
  }
}

function reverse(
  caller: Caller,
  base: WireDraft,
  record: OrderRecord | undefined,
  transactionId: string | undefined,
  store: OrderStore,
  corrupt: boolean,
): PayResult {
  const fail = (code: string, des: string) => withFault(resultFail(base, caller.signer, code, des, corrupt), corrupt);
  if (record === undefined) {
    return transactionId === undefined
      ? fail('ORDERNOTEXIST', '订单不存在')
      : fail('INVALID_TRANSACTIONID', '无效transaction_id');
  }
  if (record.tradeType !== 'MICROPAY') return fail('TRADE_ERROR', '非付款码支付订单不能撤销');
  if (record.state === 'REFUND' || record.state === 'CLOSED') return fail('TRADE_ERROR', '订单状态不允许撤销');
  if (record.reverseRecallsLeft > 0 && record.state !== 'REVOKED') {
    // OrderSpec.reverseRecalls: WeChat's "system timeout": nothing reversed yet, call reverse again.
    record.reverseRecallsLeft--;
    const draft = { ...base, result_code: 'FAIL', err_code: 'SYSTEMERROR', err_code_des: '系统超时', recall: 'Y' };
    return withFault(signedAnswer(draft, caller.signer, 'SYSTEMERROR', corrupt), corrupt);
  }
  // Reversing a reversed order succeeds again, as WeChat's idempotent reverse does.
  if (record.state !== 'REVOKED') store.transition(record, 'REVOKED');
  return withFault(
    signedAnswer({ ...base, result_code: 'SUCCESS', recall: 'N' }, caller.signer, 'REVOKED', corrupt),
    corrupt,
  );
}
