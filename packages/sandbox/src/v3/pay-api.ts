import {
  MAX_SIGNATURE_SKEW_SECONDS,
  parseAuthorizationHeader,
  parseJsonObject,
  requestSigningMessage,
  verifySha256Rsa,
} from '@tradestate/protocol';
import type { ExclusiveFault } from '../faults.ts';
import type { MerchantDirectory } from '../merchants.ts';
import type { OrderRecord } from '../order-record.ts';
import type { OrderStore } from '../order-store.ts';
import { TOO_EARLY_DES } from '../pay-api.ts';
import type { MerchantConfig } from '../types.ts';
import { type V3Answer, v3Error } from './answers.ts';
import type { GeneratedV3Keys } from './keys.ts';
import type { V3Merchants } from './merchants.ts';
import type { V3Route } from './routes.ts';
import { merchantJson, transactionJson } from './transaction-json.ts';

/** What answering a v3 request needs. */
export interface V3PayContext {
  readonly directory: MerchantDirectory;
  readonly merchants: V3Merchants;
  readonly store: OrderStore;
  readonly keys: GeneratedV3Keys;
  /** `CLOSE_MIN_AGE_MS` scaled by the sandbox's `timeScale`: WeChat's rule applies to v3 closes too. */
  readonly closeMinAgeMs: number;
}

/** One v3 request as received. */
export interface V3Request {
  readonly method: string;
  /** Path and query exactly as received: the URL the merchant signed. */
  readonly url: string;
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
  readonly platformSerial: string | undefined;
  readonly body: Buffer;
}

/** The answer and the shared fault that actually shaped it. */
export interface V3PayResult {
  readonly answer: V3Answer;
  readonly injected: ExclusiveFault | undefined;
}

interface Caller {
  readonly merchant: MerchantConfig;
  readonly subMchId: string | undefined;
  readonly subAppId: string | undefined;
}

const signError = (message: string) => v3Error(401, 'SIGN_ERROR', message);

/**
 * WeChat's checks before the business: a WECHATPAY2-SHA256-RSA2048 `Authorization` by a known merchant under its
 * certificate serial, fresh (±5 min), verifying over `METHOD\nURL\nTS\nNONCE\nBODY\n`; a `Wechatpay-Serial`, when
 * sent, naming the sandbox's platform key; then the merchant named in the query or body matching the signer.
 */
function authenticate(route: V3Route, request: V3Request, ctx: V3PayContext): Caller | V3Answer {
  const auth = parseAuthorizationHeader(request.authorization);
  if (auth === undefined) return signError('Authorization 头缺失或格式错误');
  const merchant = ctx.directory.get(auth.mchId);
  const v3 = merchant === undefined ? undefined : ctx.merchants.get(auth.mchId);
  if (merchant === undefined || v3 === undefined) return v3Error(400, 'MCH_NOT_EXISTS', '商户号不存在');
  if (auth.serialNo !== v3.serialNo) return signError('商户证书序列号有误');
  const timestamp = Number(auth.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > MAX_SIGNATURE_SKEW_SECONDS) {
    return signError('请求时间戳与当前时间相差过大');
  }
  const body = request.body.toString('utf8');
  const message = requestSigningMessage(request.method, request.url, auth.timestamp, auth.nonce, body);
  if (!verifySha256Rsa(message, auth.signature, v3.publicKey)) return signError('签名错误');
  if (request.platformSerial !== undefined && request.platformSerial !== ctx.keys.platformPublicKeyId) {
    return v3Error(400, 'PARAM_ERROR', 'Wechatpay-Serial 无效');
  }

  let params: Record<string, unknown>;
  if (request.method === 'GET') params = Object.fromEntries(request.query);
  else {
    try {
      params = { ...parseJsonObject(request.body, 64 * 1024) };
    } catch {
      return v3Error(400, 'PARAM_ERROR', '请求体不是 JSON 对象');
    }
  }
  const text = (name: string) =>
    typeof params[name] === 'string' && params[name] !== '' ? (params[name] as string) : undefined;
  const mchId = route.partner ? text('sp_mchid') : text('mchid');
  if (mchId === undefined) return v3Error(400, 'PARAM_ERROR', route.partner ? '缺少 sp_mchid' : '缺少 mchid');
  if (mchId !== auth.mchId) return v3Error(400, 'PARAM_ERROR', '商户号与签名商户号不一致');
  let subMchId: string | undefined;
  let subAppId: string | undefined;
  if (route.partner) {
    subMchId = text('sub_mchid');
    if (subMchId === undefined) return v3Error(400, 'PARAM_ERROR', '缺少 sub_mchid');
    const sub = ctx.directory.subMerchant(mchId, subMchId);
    if (sub === undefined) return v3Error(403, 'NO_AUTH', '特约商户与服务商不存在受理关系');
    subAppId = text('sub_appid');
    if (subAppId !== undefined && sub.subAppId !== undefined && sub.subAppId !== subAppId) {
      return v3Error(400, 'APPID_MCHID_NOT_MATCH', 'sub_appid 与 sub_mchid 不匹配');
    }
  }
  if (route.action === 'reverse') {
    const appId = route.partner ? text('sp_appid') : text('appid');
    if (!route.partner && appId === undefined) return v3Error(400, 'PARAM_ERROR', '缺少 appid');
    if (appId !== undefined && appId !== merchant.appId)
      return v3Error(400, 'APPID_MCHID_NOT_MATCH', 'appid 和 mchid 不匹配');
  }
  return { merchant, subMchId, subAppId };
}

function json(status: number, body: Record<string, unknown>, label: string, corrupt: boolean): V3Answer {
  return { status, body: JSON.stringify(body), signing: corrupt ? 'corrupt' : 'signed', label };
}

/**
 * Answers one APIv3 pay request as WeChat would, with at most one answer-level fault: `systemError`,
 * `frequencyLimited` and `returnFail` become unsigned 500/429/500 bodies after authentication, `badSignature` a
 * wrong signature, `staleState` the previous state, signed.
 */
export function answerV3(
  route: V3Route,
  request: V3Request,
  fault: ExclusiveFault | undefined,
  ctx: V3PayContext,
): V3PayResult {
  const caller = authenticate(route, request, ctx);
  if ('status' in caller) return { answer: caller, injected: undefined };
  if (fault === 'systemError') return { answer: v3Error(500, 'SYSTEM_ERROR', '系统错误'), injected: fault };
  if (fault === 'frequencyLimited') return { answer: v3Error(429, 'FREQUENCY_LIMITED', '频率超限'), injected: fault };
  if (fault === 'returnFail') return { answer: v3Error(500, 'SYSTEM_ERROR', '系统繁忙,请稍后再试'), injected: fault };
  const corrupt = fault === 'badSignature';
  const record = ctx.store.lookup(caller.merchant.mchId, caller.subMchId, route.outTradeNo, route.transactionId);
  if (record === undefined) return { answer: v3Error(404, 'ORDER_NOT_EXIST', '订单不存在'), injected: undefined };
  const result = (answer: V3Answer): V3PayResult => ({
    answer,
    injected: corrupt && answer.signing !== 'unsigned' ? 'badSignature' : undefined,
  });
  if (route.action === 'close') return result(close(record, ctx, corrupt));
  if (route.action === 'reverse') return result(reverse(record, ctx.store, corrupt));
  record.queries++;
  const history = record.history;
  const stale = fault === 'staleState' && history.length >= 2;
  const state = stale ? (history[history.length - 2] as (typeof history)[number]).state : record.state;
  const answer = json(200, transactionJson(record, state), state, corrupt);
  return { answer, injected: stale ? 'staleState' : corrupt ? 'badSignature' : undefined };
}

function close(record: OrderRecord, ctx: V3PayContext, corrupt: boolean): V3Answer {
  const { store } = ctx;
  if (record.closeFailuresLeft > 0) {
    // OrderSpec.closeFailures, as in v2: WeChat failed before reading the order's state.
    record.closeFailuresLeft--;
    return v3Error(500, 'SYSTEM_ERROR', '系统错误');
  }
  switch (record.state) {
    case 'SUCCESS':
    case 'REFUND':
      return v3Error(400, 'ORDER_PAID', '订单已支付');
    case 'CLOSED':
    case 'REVOKED':
      return v3Error(400, 'ORDER_CLOSED', '订单已关闭');
    case 'USERPAYING':
      return v3Error(202, 'USER_PAYING', '用户支付中,需要输入密码');
    case 'PAYERROR':
      return v3Error(403, 'TRADE_ERROR', '交易错误');
    case 'NOTPAY':
    case 'ACCEPT':
      if (store.currentTime() - record.createdAt < ctx.closeMinAgeMs)
        return v3Error(500, 'SYSTEM_ERROR', TOO_EARLY_DES);
      store.transition(record, 'CLOSED');
      return { status: 204, body: '', signing: corrupt ? 'corrupt' : 'signed', label: 'CLOSED' };
  }
}

function reverse(record: OrderRecord, store: OrderStore, corrupt: boolean): V3Answer {
  if (record.tradeType !== 'MICROPAY') return v3Error(403, 'TRADE_ERROR', '非付款码支付订单不能撤销');
  if (record.state === 'REFUND' || record.state === 'CLOSED') return v3Error(403, 'TRADE_ERROR', '订单状态不允许撤销');
  if (record.state !== 'REVOKED') store.transition(record, 'REVOKED');
  return json(200, { ...merchantJson(record), out_trade_no: record.outTradeNo }, 'REVOKED', corrupt);
}
