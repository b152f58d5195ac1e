import { seededRandom } from '@tradestate/machine';

/** One order of the simulated shop: when it is placed and when (if ever) it is paid, in simulated ms. */
export interface PopulationOrder {
  readonly arrivalMs: number;
  /** After arrival; null: never paid (abandoned at the checkout). */
  readonly payAfterMs: number | null;
}

export interface PopulationOptions {
  readonly size: number;
  readonly seed: number;
  /** Orders are placed uniformly over this span. */
  readonly arrivalSpanMs: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * A seeded population of orders whose payment comes at varied times: 55 % pay within 5–90 s of being placed
 * (scan and pay), 25 % between 90 s and 10 min (come back later), 20 % never.
 */
export function population(options: PopulationOptions): PopulationOrder[] {
  const random = seededRandom(options.seed);
  const uniform = (from: number, to: number) => from + (to - from) * random();
  return Array.from({ length: options.size }, () => {
    const arrivalMs = Math.round(uniform(0, options.arrivalSpanMs));
    const draw = random();
    const payAfterMs =
      draw < 0.55
        ? Math.round(uniform(5 * SECOND, 90 * SECOND))
        : draw < 0.8
          ? Math.round(uniform(90 * SECOND, 10 * MINUTE))
          : null;
    return { arrivalMs, payAfterMs };
  });
}
