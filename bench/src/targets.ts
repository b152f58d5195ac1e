import type { BenchSignType } from './fixtures.ts';
import { judge, type TargetResult } from './harness/results.ts';
import { round } from './harness/stats.ts';

/** What the benchmarks measured that the targets of issue 6 are judged on. */
export interface Measurements {
  decode?: ReadonlyMap<BenchSignType, ReadonlyMap<string, number>>;
}

function target(
  id: string,
  description: string,
  measured: number | null,
  limit: number,
  kind: 'max' | 'min',
  detail: string,
): TargetResult {
  const value = measured === null ? null : round(measured);
  return { id, description, measured: value, limit, kind, met: judge(value, limit, kind), detail };
}

const PEERS = ['wechatpay-axios-plugin', 'tenpay'];

function decodeTargets(decode: Measurements['decode']): TargetResult[] {
  return (['MD5', 'HMAC-SHA256'] as const).map((signType) => {
    const medians = decode?.get(signType);
    const ours = medians?.get('tradestate');
    const peers = PEERS.map((name) => [name, medians?.get(name)] as const).filter(
      (p): p is readonly [string, number] => p[1] !== undefined,
    );
    const fastest = peers.sort((a, b) => a[1] - b[1])[0];
    const ratio = ours === undefined || fastest === undefined ? null : ours / fastest[1];
    return target(
      `decode-${signType.toLowerCase()}`,
      `decode ${signType} ≤ 0.8× the faster peer`,
      ratio,
      0.8,
      'max',
      ours === undefined || fastest === undefined
        ? 'not measured'
        : `${round(ours)} µs vs ${fastest[0]} ${round(fastest[1])} µs`,
    );
  });
}

/** Judges every target of issue 6 that this run measured; the others are listed with `met: null`. */
export function evaluateTargets(m: Measurements): TargetResult[] {
  return [...decodeTargets(m.decode)];
}
