import { describe, expect, it } from 'vitest';
import { readArgs } from '../src/harness/args.ts';
import { median, percentile, relativeSpread, round } from '../src/harness/stats.ts';
import { renderMarkdownTable, renderTable } from '../src/harness/table.ts';
import { maxInWindow, meanRate } from '../src/limiter/windows.ts';
import { population } from '../src/queries/population.ts';

describe('stats', () => {
  it('takes medians of odd and even lists without reordering the input', () => {
    const values = [5, 1, 3];
    expect(median(values)).toBe(3);
    expect(values).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it('rounds to significant digits and measures spread', () => {
    expect(round(123.456)).toBe(123);
    expect(round(0.0012345, 2)).toBe(0.0012);
    expect(relativeSpread([9, 10, 12])).toBeCloseTo(0.3);
  });
});

describe('sliding windows', () => {
  it('finds the busiest half-open window', () => {
    expect(maxInWindow([0, 999, 1000, 1500, 1999], 1000)).toBe(3);
    expect(maxInWindow([0, 1000, 2000], 1000)).toBe(1);
    expect(maxInWindow([], 1000)).toBe(0);
    const even = Array.from({ length: 500 }, (_, i) => i * 10);
    expect(maxInWindow(even, 1000)).toBe(100);
  });

  it('computes the mean rate between the first and last instant', () => {
    expect(meanRate([0, 10, 20, 1000])).toBeCloseTo(3);
    expect(meanRate([5])).toBe(0);
  });
});

describe('population', () => {
  it('is reproducible from its seed and has the documented mix', () => {
    const a = population({ size: 2000, seed: 7, arrivalSpanMs: 300_000 });
    expect(population({ size: 2000, seed: 7, arrivalSpanMs: 300_000 })).toEqual(a);
    expect(population({ size: 2000, seed: 8, arrivalSpanMs: 300_000 })).not.toEqual(a);
    const never = a.filter((o) => o.payAfterMs === null).length / a.length;
    const quick = a.filter((o) => o.payAfterMs !== null && o.payAfterMs <= 90_000).length / a.length;
    expect(never).toBeGreaterThan(0.15);
    expect(never).toBeLessThan(0.25);
    expect(quick).toBeGreaterThan(0.5);
    expect(quick).toBeLessThan(0.6);
    for (const o of a) {
      expect(o.arrivalMs).toBeGreaterThanOrEqual(0);
      expect(o.arrivalMs).toBeLessThanOrEqual(300_000);
      if (o.payAfterMs !== null) expect(o.payAfterMs).toBeGreaterThanOrEqual(5000);
    }
  });
});

describe('tables', () => {
  it('right-aligns numeric columns and marks missing cells', () => {
    const text = renderTable(
      ['name', 'µs'],
      [
        ['tradestate', 41.234],
        ['peer', 1234.5],
        ['floor', undefined],
      ],
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('name           µs');
    expect(lines[2]).toBe('tradestate   41.2');
    expect(lines[3]).toBe('peer        1,235');
    expect(lines[4]).toBe('floor           –');
  });

  it('renders Markdown with numeric columns right-aligned', () => {
    expect(renderMarkdownTable(['a', 'n'], [['x', 2]])).toBe('| a | n |\n|---|---:|\n| x | 2 |');
  });
});

describe('command line', () => {
  it('reads --quick, --only and --out, ignoring the pnpm separator', () => {
    const args = readArgs(['--', '--quick', '--only', 'decode,limiter', '--out', '/tmp/r.json'], 'default.json');
    expect(args.quick).toBe(true);
    expect([...args.only]).toEqual(['decode', 'limiter']);
    expect(args.out).toBe('/tmp/r.json');
    expect(readArgs([], 'default.json').only.size).toBe(4);
  });

  it('refuses unknown benchmarks and options', () => {
    expect(() => readArgs(['--only', 'decode,speed'], 'd.json')).toThrow(/unknown benchmark speed/);
    expect(() => readArgs(['--fast'], 'd.json')).toThrow();
  });
});
