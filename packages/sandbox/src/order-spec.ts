import { createHash } from 'node:crypto';
import { InvalidArgumentError, isTradeState, type TradeState } from '@tradestate/protocol';
import type { MerchantDirectory } from './merchants.ts';
import type { DueStep, OrderRecord } from './order-record.ts';
import { canStartIn, canTransition } from './transitions.ts';
import type { OrderSpec, TradeType } from './types.ts';

const TRADE_TYPES: ReadonlySet<string> = new Set(['JSAPI', 'NATIVE', 'APP', 'MWEB', 'MICROPAY']);
const OUT_TRADE_NO = /^[A-Za-z0-9_|*-]{1,32}$/;
const OPEN_ID = /^[A-Za-z0-9_-]{1,128}$/;
const FEE_TYPE = /^[A-Z]{3}$/;
const COUPON_TEXT = /^[A-Za-z0-9_-]{1,32}$/;
const MAX_ATTACH = 127;
/** Scripted close failures and recalls per order: enough for any retry test, small enough to stay a test knob. */
const MAX_SCRIPTED_ANSWERS = 100;
/** WeChat keeps an unpaid order for at most a few days; a month is far beyond any test. */
const MAX_AGE_MS = 30 * 24 * 3600 * 1000;

function bad(message: string): InvalidArgumentError {
  return new InvalidArgumentError(`order spec: ${message}`);
}

function fen(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw bad(`${name} must be an integer number of fen >= ${min}`);
  }
  return value;
}

function count(value: unknown, name: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_SCRIPTED_ANSWERS) {
    throw bad(`${name} must be an integer from 0 to ${MAX_SCRIPTED_ANSWERS}`);
  }
  return value;
}

function ageMs(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_AGE_MS) {
    throw bad(`ageMs must be a number of ms from 0 to ${MAX_AGE_MS} (30 days)`);
  }
  return value;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw bad(`${name} must be a string`);
  return value;
}

function derivedOpenId(seed: string): string {
  // Real openids are 28 characters starting with "o"; derive one so the same order always has the same payer.
  return `o${createHash('sha256').update(seed).digest('base64url').slice(0, 27)}`;
}

function notifyUrl(value: unknown): string | undefined {
  const text = optionalString(value, 'notifyUrl');
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad('notifyUrl is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('notifyUrl must be http or https');
  return url.href;
}

function coupons(value: unknown, totalFee: number, outTradeNo: string): OrderRecord['coupons'] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw bad('coupons must be an array');
  const list = value.map((raw: unknown, n) => {
    if (typeof raw !== 'object' || raw === null) throw bad(`coupons[${n}] must be an object`);
    const c = raw as Record<string, unknown>;
    const id = optionalString(c['id'], `coupons[${n}].id`) ?? `${outTradeNo.slice(0, 24)}C${n}`;
    const type = optionalString(c['type'], `coupons[${n}].type`) ?? 'CASH';
    if (!COUPON_TEXT.test(id) || !COUPON_TEXT.test(type))
      throw bad(`coupons[${n}] id/type must be [A-Za-z0-9_-]{1,32}`);
    return { id, type, fee: fen(c['fee'], `coupons[${n}].fee`, 1) };
  });
  if (list.reduce((sum, c) => sum + c.fee, 0) > totalFee) throw bad('coupons add up to more than totalFee');
  return list;
}

function script(
  value: unknown,
  initial: TradeState,
  tradeType: TradeType,
  createdAt: number,
  timeScale: number,
): DueStep[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw bad('script must be an array');
  let previousState = initial;
  let previousAfter = 0;
  return value.map((raw: unknown, n) => {
    if (typeof raw !== 'object' || raw === null) throw bad(`script[${n}] must be an object`);
    const step = raw as Record<string, unknown>;
    const afterMs = step['afterMs'];
    const tradeState = step['tradeState'];
    if (typeof afterMs !== 'number' || !Number.isFinite(afterMs) || afterMs < previousAfter) {
      throw bad(`script[${n}].afterMs must be a number >= 0 and >= the previous step's`);
    }
    if (!isTradeState(tradeState)) throw bad(`script[${n}].tradeState is not a trade state`);
    if (!canTransition(previousState, tradeState, tradeType)) {
      throw bad(`script[${n}]: WeChat never moves a ${tradeType} order from ${previousState} to ${tradeState}`);
    }
    previousState = tradeState;
    previousAfter = afterMs;
    return { afterMs, tradeState, dueAt: createdAt + afterMs * timeScale };
  });
}

/** What {@link recordFromSpec} needs beside the spec. */
export interface RecordContext {
  readonly directory: MerchantDirectory;
  readonly transactionId: (createdAt: number) => string;
  readonly timeScale: number;
  readonly now: number;
}

/**
 * Checks an untrusted {@link OrderSpec} (it may come from JSON) and builds the order record. Throws
 * `InvalidArgumentError` naming the field at fault.
 */
export function recordFromSpec(spec: OrderSpec, context: RecordContext): OrderRecord {
  if (typeof spec !== 'object' || spec === null) throw bad('must be an object');
  const outTradeNo = spec.outTradeNo;
  if (typeof outTradeNo !== 'string' || !OUT_TRADE_NO.test(outTradeNo)) {
    throw bad('outTradeNo must be 1-32 characters of [A-Za-z0-9_|*-]');
  }
  const totalFee = fen(spec.totalFee, 'totalFee', 1);
  if (typeof spec.tradeType !== 'string' || !TRADE_TYPES.has(spec.tradeType)) {
    throw bad('tradeType must be JSAPI, NATIVE, APP, MWEB or MICROPAY');
  }
  const tradeType = spec.tradeType;

  const mchId = optionalString(spec.mchId, 'mchId');
  const merchant = mchId === undefined ? context.directory.first : context.directory.get(mchId);
  if (merchant === undefined) throw bad(`no merchant ${mchId} is configured`);
  const subMchId = optionalString(spec.subMchId, 'subMchId');
  let subAppId = optionalString(spec.subAppId, 'subAppId');
  if (subMchId !== undefined) {
    const sub = context.directory.subMerchant(merchant.mchId, subMchId);
    if (sub === undefined) throw bad(`${subMchId} is not a sub-merchant of ${merchant.mchId}`);
    if (sub.subAppId !== undefined && subAppId !== undefined && subAppId !== sub.subAppId) {
      throw bad(`subAppId ${subAppId} does not belong to sub-merchant ${subMchId}`);
    }
    subAppId ??= sub.subAppId;
  } else if (subAppId !== undefined) throw bad('subAppId needs a subMchId');

  const openIdGiven = optionalString(spec.openId, 'openId');
  if (openIdGiven !== undefined && !OPEN_ID.test(openIdGiven)) throw bad('openId must be [A-Za-z0-9_-]{1,128}');
  const openId = openIdGiven ?? derivedOpenId(`${merchant.mchId}/${outTradeNo}/payer`);

  const feeType = optionalString(spec.feeType, 'feeType') ?? 'CNY';
  if (!FEE_TYPE.test(feeType)) throw bad('feeType must be three capital letters');
  const attach = optionalString(spec.attach, 'attach');
  if (attach !== undefined && attach.length > MAX_ATTACH) throw bad(`attach is longer than ${MAX_ATTACH} characters`);

  const couponList = coupons(spec.coupons, totalFee, outTradeNo);
  const couponFee = couponList.reduce((sum, c) => sum + c.fee, 0);
  const noCash = couponList.filter((c) => c.type === 'NO_CASH').reduce((sum, c) => sum + c.fee, 0);

  const initial = spec.initialState ?? 'NOTPAY';
  if (!isTradeState(initial) || !canStartIn(initial, tradeType)) {
    throw bad(`a ${tradeType} order cannot start in ${String(initial)}`);
  }
  const createdAt = context.now - ageMs(spec.ageMs) * context.timeScale;
  const closeFailuresLeft = count(spec.closeFailures, 'closeFailures');
  const reverseRecallsLeft = count(spec.reverseRecalls, 'reverseRecalls');
  return {
    outTradeNo,
    transactionId: context.transactionId(createdAt),
    appId: merchant.appId,
    mchId: merchant.mchId,
    subAppId,
    subMchId,
    tradeType,
    totalFee,
    feeType,
    coupons: couponList,
    couponFee,
    cashFee: totalFee - couponFee,
    settlementTotalFee: noCash > 0 ? totalFee - noCash : undefined,
    openId,
    providerOpenId: subAppId === undefined ? undefined : derivedOpenId(`${merchant.mchId}/${outTradeNo}/provider`),
    bankType: 'OTHERS',
    attach,
    notifyUrl: notifyUrl(spec.notifyUrl),
    createdAt,
    state: initial,
    history: [{ state: initial, at: createdAt }],
    script: script(spec.script, initial, tradeType, createdAt, context.timeScale),
    nextStep: 0,
    closeFailuresLeft,
    reverseRecallsLeft,
    paidAt: initial === 'SUCCESS' ? createdAt : undefined,
    queries: 0,
    notification: undefined,
    answerCache: undefined,
  };
}
