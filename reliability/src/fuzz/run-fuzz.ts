import {
  decodeNotification,
  decodeOrderQuery,
  isTradeState,
  type OrderQueryOutcome,
  type PaymentNotification,
  TradestateError,
} from '@tradestate/protocol';
import fc from 'fast-check';
import { type FuzzBody, fuzzBody } from './bodies.ts';
import { compareCacheModes, compareParsers } from './differential.ts';
import { notificationVerdict } from './notification-oracle.ts';
import { FUZZ_KEY, forgeryReason } from './oracle.ts';

/**
 * What a fuzz run saw. `bodies` counts bodies generated; each went through `decodeOrderQuery`,
 * `decodeNotification` and the parser differential.
 */
export interface FuzzReport {
  bodies: number;
  seed: number;
  ms: number;
  /** Outcome kinds (`order`, `not-found`, `error`) and thrown error codes of `decodeOrderQuery`. */
  orderquery: Record<string, number>;
  /** Accepted (`SUCCESS`) and thrown error codes of `decodeNotification`. */
  notification: Record<string, number>;
  differential: Record<string, number>;
  origins: Record<string, number>;
  /** Verdicts of `decodeNotification` on the `notification-replay` bodies (a subset of `notification`). */
  replays: Record<string, number>;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function describe(input: FuzzBody): string {
  const preview = typeof input.body === 'string' ? input.body : Buffer.from(input.body).toString('latin1');
  return `${input.origin} [${input.mutations.join('; ')}] signType=${input.signType} body=${JSON.stringify(preview.slice(0, 600))}`;
}

/** Runs a decoder; returns its result or the typed error, and fails on anything that is not a TradestateError. */
function guarded<T>(input: FuzzBody, decoder: string, run: () => T): T | TradestateError {
  try {
    return run();
  } catch (err) {
    if (err instanceof TradestateError && typeof err.code === 'string' && typeof err.retryable === 'boolean')
      return err;
    throw new Error(`${decoder} threw a non-Tradestate ${String(err)} for ${describe(input)}`, { cause: err });
  }
}

function checkOrderQuery(input: FuzzBody, counts: Record<string, number>): void {
  const expect = input.outTradeNo === undefined ? undefined : { mchId: '10000100', outTradeNo: input.outTradeNo };
  const result = guarded(input, 'decodeOrderQuery', () =>
    decodeOrderQuery(input.body, { key: FUZZ_KEY, signType: input.signType, expect }),
  );
  if (result instanceof TradestateError) {
    bump(counts, result.code);
    return;
  }
  const outcome: OrderQueryOutcome = result;
  bump(counts, outcome.kind);
  if (outcome.kind === 'order') {
    const reason = forgeryReason(outcome.fields, input.signed, input.signType);
    if (reason !== undefined) throw new Error(`decodeOrderQuery ${reason}: ${describe(input)}`);
    const state = outcome.tradeState;
    if (!(isTradeState(state) || (typeof state === 'object' && state.unknown === outcome.fields['trade_state']))) {
      throw new Error(`decodeOrderQuery returned trade state ${JSON.stringify(state)}: ${describe(input)}`);
    }
    if (expect !== undefined && outcome.fields['out_trade_no'] !== expect.outTradeNo) {
      throw new Error(`decodeOrderQuery accepted an answer for another order: ${describe(input)}`);
    }
  } else if ('tradeState' in outcome || Object.hasOwn(outcome, 'order')) {
    throw new Error(`decodeOrderQuery ${outcome.kind} outcome carries a trade state: ${describe(input)}`);
  } else if (outcome.kind === 'not-found' && outcome.fields['sign'] !== undefined) {
    // A signed not-found ends a watch: its sign must be one we made.
    const reason = forgeryReason(outcome.fields, input.signed, input.signType);
    if (reason !== undefined) throw new Error(`decodeOrderQuery not-found ${reason}: ${describe(input)}`);
  }
}

function checkNotification(input: FuzzBody, report: FuzzReport): void {
  const expect = input.replay?.expect;
  const result = guarded(input, 'decodeNotification', () =>
    decodeNotification(input.body, { key: FUZZ_KEY, signType: input.signType, expect }),
  );
  const verdict = result instanceof TradestateError ? result.code : result.tradeState;
  bump(report.notification, verdict);
  if (input.replay !== undefined) {
    // Well-formed fields the fuzzer knows exactly: the independent verdict must be the decoder's, both ways.
    bump(report.replays, verdict);
    const wanted = notificationVerdict(input.replay.fields, input.signType, expect);
    if (wanted !== verdict) {
      throw new Error(`decodeNotification said ${verdict} where the oracle says ${wanted}: ${describe(input)}`);
    }
  }
  if (result instanceof TradestateError) return;
  const notification: PaymentNotification = result;
  const reason = forgeryReason(notification.fields, input.signed, input.signType);
  if (reason !== undefined) throw new Error(`decodeNotification ${reason}: ${describe(input)}`);
  // Whatever the origin, an accepted body is a payment result by the oracle's reading of its fields.
  const payment = notificationVerdict(notification.fields, input.signType, undefined);
  if (payment !== 'SUCCESS') {
    throw new Error(`decodeNotification accepted what the oracle calls ${payment}: ${describe(input)}`);
  }
}

/**
 * Feeds `runs` fuzzed bodies to both decoders and the parser differential, asserting for every one: only an
 * outcome or a `TradestateError` (never another exception), never an order or payment from a body whose sign
 * the independent oracle does not reproduce over exactly a field set the fuzzer signed, never a payment from a
 * body the oracle does not call a payment result, no trade state on error outcomes, and the strict scanner and
 * fast-xml-parser reading the same fields wherever both accept, and accepting nothing fast-xml-parser refuses. For genuine signed bodies replayed to the notify
 * route, the decoder's verdict (SUCCESS or the refusal code) must be exactly the independent oracle's.
 * Throws fast-check's report (with the seed and the shrunk counterexample) on the first violation.
 */
export function runFuzz(options: { runs: number; seed?: number }): FuzzReport {
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const report: FuzzReport = {
    bodies: 0,
    seed,
    ms: 0,
    orderquery: {},
    notification: {},
    differential: {},
    origins: {},
    replays: {},
  };
  const started = performance.now();
  fc.assert(
    fc.property(fuzzBody, (input) => {
      report.bodies++;
      bump(report.origins, input.origin);
      checkOrderQuery(input, report.orderquery);
      checkNotification(input, report);
      const diff = compareParsers(input.body);
      bump(report.differential, diff.kind);
      if (diff.kind === 'disagree') throw new Error(`parsers disagree on ${diff.detail}: ${describe(input)}`);
      // DESIGN.md: the scanner may stand in for fast-xml-parser's validator only while no body it accepts is one
      // the parser refuses (or reads as something other than a record of fields).
      if (diff.kind === 'reference-refuses')
        throw new Error(`the scanner accepts what fast-xml-parser refuses: ${describe(input)}`);
      // The same reading with the codec's caches on and off: they may change the cost of a body, never its result.
      const caches = compareCacheModes(input.body);
      bump(report.differential, caches === undefined ? 'caches-agree' : 'caches-disagree');
      if (caches !== undefined) throw new Error(`the codec's caches change a reading: ${caches}: ${describe(input)}`);
    }),
    { numRuns: options.runs, seed, endOnFailure: false },
  );
  report.ms = Math.round(performance.now() - started);
  return report;
}
