import { InvalidArgumentError } from '@tradestate/protocol';
import { seededRandom } from './prng.ts';
import type { FaultKind, FaultRates } from './types.ts';

/** The faults that replace an answer; at most one per request. Order fixes how a draw maps to a kind. */
export const EXCLUSIVE_FAULTS = [
  'systemError',
  'frequencyLimited',
  'returnFail',
  'hang',
  'reset',
  'truncated',
  'html502',
  'badSignature',
  'staleState',
] as const satisfies readonly FaultKind[];

/** A fault that replaces the answer. */
export type ExclusiveFault = (typeof EXCLUSIVE_FAULTS)[number];

/**
 * Every fault kind the sandbox can inject, as `FaultRates` names them and `counters().faultsInjected` counts them.
 *
 * @example
 * ```ts
 * for (const kind of FAULT_KINDS) sandbox.setFaults({ [kind]: 1 }); // each kind in turn
 * ```
 */
export const FAULT_KINDS: readonly FaultKind[] = [...EXCLUSIVE_FAULTS, 'latency'];

const DEFAULT_LATENCY_MS = 500;

/** What to do to one answer. */
export interface FaultDraw {
  readonly fault: ExclusiveFault | undefined;
  /** Milliseconds to wait before answering, 0 for none. */
  readonly delayMs: number;
}

const NONE: FaultDraw = { fault: undefined, delayMs: 0 };

/** Checks rates and returns a normalised copy; throws `InvalidArgumentError` on anything out of range. */
export function validateFaults(faults: FaultRates): FaultRates {
  const out: Record<string, number> = {};
  let exclusiveSum = 0;
  for (const [name, value] of Object.entries(faults)) {
    if (value === undefined) continue;
    if (name === 'latencyMs') {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new InvalidArgumentError('faults.latencyMs must be a non-negative number');
      }
      out[name] = value;
      continue;
    }
    if (!(FAULT_KINDS as readonly string[]).includes(name)) throw new InvalidArgumentError(`unknown fault ${name}`);
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw new InvalidArgumentError(`faults.${name} must be a rate between 0 and 1`);
    }
    out[name] = value;
    if (name !== 'latency') exclusiveSum += value;
  }
  if (exclusiveSum > 1 + 1e-9) throw new InvalidArgumentError('fault rates other than latency add up to more than 1');
  return out as FaultRates;
}

/**
 * Draws faults from a seeded PRNG. Every request consumes exactly two draws whatever the rates, so the same
 * seed and the same sequence of requests give the same faults.
 */
export class FaultPicker {
  private rates: FaultRates = {};
  private active = false;
  private readonly random: () => number;

  constructor(seed: number, rates: FaultRates = {}) {
    this.random = seededRandom(seed ^ 0x5eed);
    this.set(rates);
  }

  set(rates: FaultRates): void {
    this.rates = validateFaults(rates);
    this.active = FAULT_KINDS.some((kind) => (this.rates[kind] ?? 0) > 0);
  }

  get(): FaultRates {
    return { ...this.rates };
  }

  draw(): FaultDraw {
    // With no fault configured the request path skips the PRNG; the sequence starts with the first fault set.
    if (!this.active) return NONE;
    const u = this.random();
    const v = this.random();
    let fault: ExclusiveFault | undefined;
    let cumulative = 0;
    for (const kind of EXCLUSIVE_FAULTS) {
      cumulative += this.rates[kind] ?? 0;
      if (u < cumulative) {
        fault = kind;
        break;
      }
    }
    const delayMs = v < (this.rates.latency ?? 0) ? (this.rates.latencyMs ?? DEFAULT_LATENCY_MS) : 0;
    return { fault, delayMs };
  }
}
