import type { FinalState } from './plan.ts';

/** The order as a watch's end described it, or as the plan made it: what a payment must be about. */
export interface OrderFacts {
  readonly totalFee: number | undefined;
  readonly mchId: string | undefined;
  readonly subMchId: string | undefined;
}

/** What one watch emitted, in order: the trade state of each emission, and every end it reported. */
export interface WatchRecord {
  readonly outTradeNo: string;
  readonly expected: FinalState;
  readonly states: ReadonlyArray<string | undefined>;
  readonly ends: readonly string[];
  /** The order the plan made (its amount and merchant), when the run knows it. */
  readonly planned?: OrderFacts | undefined;
  /** The order the (first) end carried. */
  readonly endOrder?: OrderFacts | undefined;
}

/** The counts the soak prints, beside `orders`, `unhandledRejections`, `queries` and `faultsInjected`. */
export interface Verdict {
  correct: number;
  falseTerminal: number;
  regressions: number;
  lost: number;
  /** Orders that reported an end more than once. */
  endedTwice: number;
  /**
   * Ends in a paid state (SUCCESS, REFUND) whose order is not the one planned: another amount, merchant or
   * sub-merchant (what a believed forged notification would show).
   */
  wrongOrder: number;
  /** Orders by how they ended when not as scripted: `expected→actual`. */
  wrong: Record<string, number>;
}

// Written from WeChat's documented lifecycle, not taken from the machine: unpaid < paying < accepted < settled
// one way or the other < money returned.
const RANK: Readonly<Record<string, number>> = {
  NOTPAY: 1,
  USERPAYING: 2,
  ACCEPT: 3,
  SUCCESS: 4,
  CLOSED: 4,
  PAYERROR: 4,
  REFUND: 5,
  REVOKED: 5,
};

const TRADE_STATE_ENDS = new Set(['SUCCESS', 'REFUND', 'CLOSED', 'REVOKED', 'PAYERROR']);
const PAID_ENDS = new Set(['SUCCESS', 'REFUND']);

function sameFacts(a: OrderFacts, b: OrderFacts | undefined): boolean {
  return b !== undefined && a.totalFee === b.totalFee && a.mchId === b.mchId && a.subMchId === b.subMchId;
}

/**
 * Judges every watch of a run. `served(outTradeNo, state)` says whether the sandbox ever served that state
 * about that order under a valid sign (read independently of the library).
 *
 * - correct: exactly one end, and it is the script's final state;
 * - falseTerminal: an end in a trade state never validly served about that order;
 * - regressions: emissions whose state ranks below, or equal to but differs from, one emitted before
 *   (SUCCESS then NOTPAY; SUCCESS then CLOSED);
 * - lost: no end at all;
 * - wrongOrder: a paid end whose order is not the planned one (amount, merchant, sub-merchant).
 */
export function judge(
  records: readonly WatchRecord[],
  served: (outTradeNo: string, state: string) => boolean,
): Verdict {
  const verdict: Verdict = {
    correct: 0,
    falseTerminal: 0,
    regressions: 0,
    lost: 0,
    endedTwice: 0,
    wrongOrder: 0,
    wrong: {},
  };
  for (const record of records) {
    let highest: string | undefined;
    for (const state of record.states) {
      if (state === undefined) continue;
      const rank = RANK[state] ?? 0;
      const top = highest === undefined ? 0 : (RANK[highest] ?? 0);
      if (rank < top || (rank === top && state !== highest)) verdict.regressions++;
      else highest = state;
    }
    const [end] = record.ends;
    if (end === undefined) {
      verdict.lost++;
      continue;
    }
    if (record.ends.length > 1) verdict.endedTwice++;
    if (TRADE_STATE_ENDS.has(end) && !served(record.outTradeNo, end)) verdict.falseTerminal++;
    if (PAID_ENDS.has(end) && record.planned !== undefined && !sameFacts(record.planned, record.endOrder)) {
      verdict.wrongOrder++;
    }
    if (end === record.expected && record.ends.length === 1) verdict.correct++;
    else {
      const key = `${record.expected}→${record.ends.join(',')}`;
      verdict.wrong[key] = (verdict.wrong[key] ?? 0) + 1;
    }
  }
  return verdict;
}
