import { seededRandom } from '@tradestate/machine';
import { decodeNotification } from '@tradestate/protocol';
import { buildXml, parseXml, sign } from '@tradestate/protocol/codec';
import type { PlannedOrder } from './plan.ts';

/**
 * What an attacker (or a misrouted peer) can post to a merchant's notify route, each a way a naive route would
 * report a payment that did not happen:
 * - `replay`: a genuine, validly signed orderquery answer saying NOTPAY, USERPAYING or CLOSED, re-posted (anyone
 *   who saw one signed answer can). Only a strict `decodeNotification` refuses it: see {@link protocolRefusesReplays}.
 * - `wrongAmount`: a signed payment result for the order, of another amount (1 fen, or the real one plus one).
 * - `otherMerchant`: a signed payment result of the same number and amount, for another `mch_id` sharing the key.
 * - `otherSubMerchant`: the same for a sub-merchant of this `mch_id` (service-provider mode: one key for all).
 * - `forged`: a payment result whose sign does not verify: the route cannot believe it, only ask.
 * - `duplicate`: the order's genuine notification, posted again at a random later moment.
 */
export const HOSTILE_KINDS = [
  'replay',
  'wrongAmount',
  'otherMerchant',
  'otherSubMerchant',
  'forged',
  'duplicate',
] as const;
export type HostileKind = (typeof HOSTILE_KINDS)[number];

/** The header a hostile post carries, for the soak's bookkeeping only (the route decodes the body as it would any). */
export const HOSTILE_HEADER = 'x-soak-hostile';

/** One planned hostile post: when (ms after the run starts), about which order, of which kind. */
export interface HostilePost {
  readonly atMs: number;
  readonly outTradeNo: string;
  readonly kind: HostileKind;
}

/**
 * Plans hostile posts at random: for half the orders, one or two, of kinds drawn from `kinds`, at any moment from
 * the order's creation to a little after its script's end (some arrive after the watch ended); duplicates in the
 * second half of that window, when there is more often a genuine notification to copy. Deterministic for a seed.
 */
export function planHostile(options: {
  readonly plan: readonly PlannedOrder[];
  readonly seed: number;
  readonly kinds: readonly HostileKind[];
  readonly windowMs: number;
}): HostilePost[] {
  const random = seededRandom(options.seed ^ 0x68e31da4);
  const posts: HostilePost[] = [];
  if (options.kinds.length === 0) return posts;
  for (const order of options.plan) {
    if (random() >= 0.5) continue;
    const count = random() < 0.5 ? 1 : 2;
    for (let i = 0; i < count; i++) {
      const kind = options.kinds[Math.floor(random() * options.kinds.length)] as HostileKind;
      const from = kind === 'duplicate' ? 0.5 : 0;
      posts.push({
        atMs: Math.round(order.startAtMs + (from + (1 - from) * random()) * options.windowMs),
        outTradeNo: order.spec.outTradeNo,
        kind,
      });
    }
  }
  return posts.sort((a, b) => a.atMs - b.atMs);
}

/** A merchant sharing the soak merchant's key: its payment results verify with it. */
export const OTHER_MCH_ID = '10000200';
export const OTHER_SUB_MCH_ID = '1900000110';

/**
 * Builds hostile bodies: signed payment results made up for an order (the harness holds the key, as another
 * merchant sharing it would), and copies of what the sandbox really sent (answers to replay, notifications to
 * duplicate), captured on the way.
 */
export class HostileBodies {
  /** Per order, the latest validly signed MD5 answer with a trade state other than SUCCESS. */
  private readonly unpaidAnswers = new Map<string, string>();
  /** Per order, the genuine payment notification the sandbox posted. */
  private readonly genuine = new Map<string, string>();
  private serial = 0;

  constructor(private readonly merchant: { readonly appId: string; readonly mchId: string; readonly key: string }) {}

  /** An orderquery answer body as the client received it (anything: only signed unpaid answers are kept). */
  recordAnswer(body: unknown): void {
    const fields = this.verified(body);
    const state = fields?.['trade_state'];
    const outTradeNo = fields?.['out_trade_no'];
    if (fields === undefined || outTradeNo === undefined || state === undefined || state === 'SUCCESS') return;
    this.unpaidAnswers.set(outTradeNo, body as string);
  }

  /** A notification body the sandbox posted (kept when it is a signed payment result). */
  recordGenuine(body: string): void {
    const fields = this.verified(body);
    const outTradeNo = fields?.['out_trade_no'];
    if (fields !== undefined && outTradeNo !== undefined && fields['trade_state'] === undefined) {
      this.genuine.set(outTradeNo, body);
    }
  }

  /** The body of a hostile post about `order`, or `undefined` when there is nothing of that kind to copy yet. */
  body(kind: HostileKind, order: PlannedOrder): string | undefined {
    const { outTradeNo, totalFee } = order.spec;
    switch (kind) {
      case 'replay':
        return this.unpaidAnswers.get(outTradeNo);
      case 'duplicate':
        return this.genuine.get(outTradeNo);
      case 'wrongAmount':
        return this.payment(order, {
          total_fee: String(totalFee === 1 ? 2 : this.serial % 2 === 0 ? 1 : totalFee + 1),
        });
      case 'otherMerchant':
        return this.payment(order, { mch_id: OTHER_MCH_ID });
      case 'otherSubMerchant':
        return this.payment(order, { sub_mch_id: OTHER_SUB_MCH_ID });
      case 'forged':
        return this.payment(order, {}, true);
    }
  }

  /**
   * A signed payment result for `order`, as the sandbox would send it, with `overrides`; `tamper` changes one
   * digit of the sign (well-formed, but it does not verify).
   */
  private payment(order: PlannedOrder, overrides: Readonly<Record<string, string>>, tamper = false): string {
    this.serial++;
    const { outTradeNo, totalFee, tradeType } = order.spec;
    const fields: Record<string, string> = {
      return_code: 'SUCCESS',
      return_msg: 'OK',
      appid: this.merchant.appId,
      mch_id: this.merchant.mchId,
      nonce_str: `hostile${this.serial}`,
      result_code: 'SUCCESS',
      openid: 'oHostile000000000000000000000',
      is_subscribe: 'N',
      trade_type: tradeType,
      bank_type: 'OTHERS',
      total_fee: String(totalFee),
      fee_type: 'CNY',
      cash_fee: String(totalFee),
      transaction_id: `4200009999${String(this.serial).padStart(18, '0')}`,
      out_trade_no: outTradeNo,
      time_end: '20261201120000',
      ...overrides,
    };
    if (overrides['total_fee'] !== undefined) fields['cash_fee'] = overrides['total_fee'];
    const signature = sign(fields, this.merchant.key, 'MD5');
    const sent = tamper ? `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}` : signature;
    return buildXml({ ...fields, sign: sent });
  }

  private verified(body: unknown): Readonly<Record<string, string>> | undefined {
    if (typeof body !== 'string') return undefined;
    try {
      const fields = parseXml(body);
      const { sign: signature, ...rest } = fields;
      return signature === sign(rest, this.merchant.key, 'MD5') ? fields : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * Whether this `@tradestate/protocol`'s `decodeNotification` refuses a replayed orderquery answer (a validly
 * signed NOTPAY answer re-posted to the notify route). Until it does, a replay decodes as a payment, and no watch
 * can tell it from one: the soak then leaves replays out and says so in its report.
 */
export function protocolRefusesReplays(merchant: {
  readonly appId: string;
  readonly mchId: string;
  readonly key: string;
}): boolean {
  const fields: Record<string, string> = {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: merchant.appId,
    mch_id: merchant.mchId,
    nonce_str: 'replayprobe',
    result_code: 'SUCCESS',
    out_trade_no: 'REPLAYPROBE1',
    total_fee: '100',
    trade_state: 'NOTPAY',
    trade_state_desc: 'not paid',
  };
  try {
    decodeNotification(buildXml({ ...fields, sign: sign(fields, merchant.key, 'MD5') }), { key: merchant.key });
    return false;
  } catch {
    return true;
  }
}
