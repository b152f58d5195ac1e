import { InvalidArgumentError } from '@tradestate/protocol';
import { seededRandom } from '../prng.ts';
import type { V3FaultRates } from './types.ts';

const KINDS = ['staleTimestamp', 'signTest'] as const;

/** A v3-only fault kind. */
export type V3FaultKind = (typeof KINDS)[number];

/** Draws the v3-only faults by seeded rate, apart from the shared picker so that v2 draws stay as they were. */
export class V3FaultPicker {
  private rates: V3FaultRates = {};
  private readonly random: () => number;
  readonly injected: Record<V3FaultKind, number> = { staleTimestamp: 0, signTest: 0 };

  constructor(seed: number) {
    this.random = seededRandom(seed ^ 0x3e3e);
  }

  set(rates: V3FaultRates): void {
    if (typeof rates !== 'object' || rates === null) throw new InvalidArgumentError('v3 faults must be an object');
    let sum = 0;
    for (const [name, value] of Object.entries(rates)) {
      if (value === undefined) continue;
      if (!(KINDS as readonly string[]).includes(name)) throw new InvalidArgumentError(`unknown v3 fault ${name}`);
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
        throw new InvalidArgumentError(`v3 faults.${name} must be a rate between 0 and 1`);
      }
      sum += value;
    }
    if (sum > 1 + 1e-9) throw new InvalidArgumentError('v3 fault rates add up to more than 1');
    this.rates = { ...rates };
  }

  draw(): V3FaultKind | undefined {
    if (KINDS.every((kind) => (this.rates[kind] ?? 0) === 0)) return undefined;
    const u = this.random();
    let cumulative = 0;
    for (const kind of KINDS) {
      cumulative += this.rates[kind] ?? 0;
      if (u < cumulative) return kind;
    }
    return undefined;
  }
}
