import { InvalidArgumentError, type TradeState } from '@tradestate/protocol';
import { beijingDate, beijingTimeEnd } from './beijing-time.ts';
import type { MerchantDirectory } from './merchants.ts';
import type { OrderRecord } from './order-record.ts';
import { recordFromSpec } from './order-spec.ts';
import { seededRandom } from './prng.ts';
import { TransitionRefusedError, UnknownOrderError } from './sandbox-errors.ts';
import { canTransition, TRADE_STATE_DESC } from './transitions.ts';
import type { OrderSpec, SandboxOrder } from './types.ts';

/** What the store needs from its sandbox. */
export interface OrderStoreOptions {
  readonly directory: MerchantDirectory;
  readonly seed: number;
  readonly timeScale: number;
  /** Called once each time an order becomes SUCCESS (by script, by hand or at creation). */
  readonly onPaid: (record: OrderRecord) => void;
  readonly log: (line: string) => void;
  readonly now?: () => number;
}

function key(mchId: string, outTradeNo: string): string {
  return `${mchId}\u0000${outTradeNo}`;
}

/**
 * Every order of every merchant. Scripts are evaluated lazily: reading an order first applies the steps that
 * have come due, stamped with their due instant, so 10,000 scripted orders cost no timer each. Only an order
 * that must notify on SUCCESS gets a timer, for the step that pays it.
 */
export class OrderStore {
  private readonly byKey = new Map<string, OrderRecord>();
  private readonly byOutTradeNo = new Map<string, OrderRecord[]>();
  private readonly byTransactionId = new Map<string, OrderRecord>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly now: () => number;
  private sequence: number;

  constructor(private readonly options: OrderStoreOptions) {
    this.now = options.now ?? Date.now;
    this.sequence = Math.floor(seededRandom(options.seed)() * 1e12);
  }

  create(spec: OrderSpec): OrderRecord {
    const record = recordFromSpec(spec, {
      directory: this.options.directory,
      transactionId: (at) => this.nextTransactionId(at),
      timeScale: this.options.timeScale,
      now: this.now(),
    });
    const k = key(record.mchId, record.outTradeNo);
    if (this.byKey.has(k)) {
      throw new InvalidArgumentError(`order spec: outTradeNo ${record.outTradeNo} already exists for ${record.mchId}`);
    }
    this.byKey.set(k, record);
    const same = this.byOutTradeNo.get(record.outTradeNo);
    if (same === undefined) this.byOutTradeNo.set(record.outTradeNo, [record]);
    else same.push(record);
    this.byTransactionId.set(record.transactionId, record);
    this.options.log(`order ${record.outTradeNo} created for ${record.mchId} in ${record.state}`);
    if (record.state === 'SUCCESS') this.options.onPaid(record);
    // An order created in the past (`ageMs`) is at once in the state its script has reached by now.
    this.advance(record);
    this.scheduleNotifyingStep(record);
    return record;
  }

  /** The store's clock (epoch ms): what order ages and script due instants are measured against. */
  currentTime(): number {
    return this.now();
  }

  /** The order of `mchId` (any merchant when omitted; ambiguous names need the `mchId`). */
  find(outTradeNo: string, mchId?: string): OrderRecord | undefined {
    if (mchId !== undefined) return this.advance(this.byKey.get(key(mchId, outTradeNo)));
    const same = this.byOutTradeNo.get(outTradeNo);
    if (same === undefined) return undefined;
    if (same.length > 1) {
      throw new InvalidArgumentError(`outTradeNo ${outTradeNo} exists for several merchants: pass mchId`);
    }
    return this.advance(same[0]);
  }

  /** The order a pay request names, as WeChat finds it: `transaction_id` first, within the requesting merchant. */
  lookup(
    mchId: string,
    subMchId: string | undefined,
    outTradeNo: string | undefined,
    transactionId: string | undefined,
  ) {
    let record: OrderRecord | undefined;
    if (transactionId !== undefined) {
      record = this.byTransactionId.get(transactionId);
      // An unpaid order has no WeChat transaction yet (MICROPAY ones do from the start).
      if (record !== undefined && record.paidAt === undefined && record.tradeType !== 'MICROPAY') {
        record = this.advance(record);
        if (record?.paidAt === undefined) record = undefined;
      }
    } else if (outTradeNo !== undefined) record = this.byKey.get(key(mchId, outTradeNo));
    if (record === undefined || record.mchId !== mchId || record.subMchId !== subMchId) return undefined;
    return this.advance(record);
  }

  all(): OrderRecord[] {
    const out: OrderRecord[] = [];
    for (const record of this.byKey.values()) out.push(this.advance(record) as OrderRecord);
    return out;
  }

  /** Applies the script steps that have come due. */
  advance<T extends OrderRecord | undefined>(record: T): T {
    if (record === undefined || record.nextStep >= record.script.length) return record;
    const now = this.now();
    while (record.nextStep < record.script.length) {
      const step = record.script[record.nextStep] as OrderRecord['script'][number];
      if (step.dueAt > now) break;
      record.nextStep++;
      if (record.state === step.tradeState) continue;
      // A hand-made change may have overtaken the script; a step that is no longer allowed is dropped.
      if (!canTransition(record.state, step.tradeState, record.tradeType)) {
        this.options.log(`order ${record.outTradeNo}: script step to ${step.tradeState} dropped after ${record.state}`);
        continue;
      }
      this.apply(record, step.tradeState, step.dueAt);
    }
    return record;
  }

  /** Moves an order by hand; the same state again is a no-op. */
  transition(record: OrderRecord, to: TradeState, at = this.now()): OrderRecord {
    this.advance(record);
    if (record.state === to) return record;
    if (!canTransition(record.state, to, record.tradeType)) {
      throw new TransitionRefusedError(
        `WeChat never moves a ${record.tradeType} order from ${record.state} to ${to} (${record.outTradeNo})`,
      );
    }
    this.apply(record, to, at);
    return record;
  }

  /** Like {@link transition}, by name. */
  setState(outTradeNo: string, to: TradeState, mchId?: string): OrderRecord {
    const record = this.find(outTradeNo, mchId);
    if (record === undefined) throw new UnknownOrderError(`no order ${outTradeNo}`);
    return this.transition(record, to);
  }

  snapshot(record: OrderRecord): SandboxOrder {
    const n = record.notification;
    return {
      outTradeNo: record.outTradeNo,
      transactionId: record.transactionId,
      appId: record.appId,
      mchId: record.mchId,
      ...(record.subAppId === undefined ? {} : { subAppId: record.subAppId }),
      ...(record.subMchId === undefined ? {} : { subMchId: record.subMchId }),
      tradeType: record.tradeType,
      totalFee: record.totalFee,
      feeType: record.feeType,
      cashFee: record.cashFee,
      coupons: record.coupons.map((c) => ({ ...c })),
      openId: record.openId,
      ...(record.attach === undefined ? {} : { attach: record.attach }),
      ...(record.notifyUrl === undefined ? {} : { notifyUrl: record.notifyUrl }),
      tradeState: record.state,
      tradeStateDesc: TRADE_STATE_DESC[record.state],
      ...(record.paidAt === undefined ? {} : { timeEnd: beijingTimeEnd(record.paidAt) }),
      createdAt: new Date(record.createdAt).toISOString(),
      closeFailuresLeft: record.closeFailuresLeft,
      reverseRecallsLeft: record.reverseRecallsLeft,
      history: record.history.map((h) => ({ tradeState: h.state, at: new Date(h.at).toISOString() })),
      pendingScript: record.script.slice(record.nextStep).map((s) => ({
        afterMs: s.afterMs,
        tradeState: s.tradeState,
        dueAt: new Date(s.dueAt).toISOString(),
      })),
      queries: record.queries,
      ...(n === undefined
        ? {}
        : {
            notification: {
              attempts: n.attempts,
              acknowledged: n.acknowledged,
              pending: n.pending,
              ...(n.lastError === undefined ? {} : { lastError: n.lastError }),
            },
          }),
    };
  }

  resetQueries(): void {
    for (const record of this.byKey.values()) record.queries = 0;
  }

  queriesByOrder(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const record of this.byKey.values()) {
      if (record.queries > 0) out[record.outTradeNo] = (out[record.outTradeNo] ?? 0) + record.queries;
    }
    return out;
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private apply(record: OrderRecord, to: TradeState, at: number): void {
    const from = record.state;
    record.state = to;
    record.history.push({ state: to, at });
    if (to === 'SUCCESS') record.paidAt = at;
    this.options.log(`order ${record.outTradeNo}: ${from} -> ${to}`);
    if (to === 'SUCCESS') this.options.onPaid(record);
  }

  private scheduleNotifyingStep(record: OrderRecord): void {
    if (record.notifyUrl === undefined) return;
    const paying = record.script.find((s) => s.tradeState === 'SUCCESS');
    if (paying === undefined) return;
    this.wakeAt(paying.dueAt, () => this.advance(record));
  }

  /** Runs `action` once `now()` has reached `dueAt`: Node's timers may fire a millisecond early, so re-arm then. */
  private wakeAt(dueAt: number, action: () => void): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (this.now() < dueAt) this.wakeAt(dueAt, action);
        else action();
      },
      Math.max(0, dueAt - this.now()),
    );
    this.timers.add(timer);
  }

  private nextTransactionId(createdAt: number): string {
    // 4200001 + Beijing date + 13 digits: the shape of a real 28-digit WeChat Pay transaction_id.
    this.sequence = (this.sequence + 1) % 1e13;
    return `4200001${beijingDate(createdAt)}${String(this.sequence).padStart(13, '0')}`;
  }
}
