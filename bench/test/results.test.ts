import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type BenchResults,
  judge,
  machineInfo,
  RESULTS_SCHEMA,
  validateResults,
  writeResults,
} from '../src/harness/results.ts';

function sample(): BenchResults {
  return {
    schema: RESULTS_SCHEMA,
    mode: 'quick',
    command: 'pnpm bench --quick',
    startedAt: '2026-11-27T07:00:00.000Z',
    finishedAt: '2026-11-27T07:00:30.000Z',
    durationMs: 30_000,
    machine: machineInfo(),
    runFrom: 'source',
    sections: [
      {
        id: 'decode',
        title: 'decode',
        columns: [
          { key: 'contender', label: 'contender' },
          { key: 'usPerOp', label: 'µs/op' },
        ],
        rows: [
          { contender: 'tradestate', usPerOp: 40 },
          { contender: 'peer', usPerOp: null },
        ],
        notes: ['median of 5 rounds'],
      },
    ],
    targets: [
      { id: 'decode', description: 'decode', measured: 0.5, limit: 0.8, kind: 'max', met: true, detail: '' },
      { id: 'rss', description: 'rss', measured: null, limit: 4096, kind: 'max', met: null, detail: 'not run' },
    ],
  };
}

describe('bench results', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('writes valid results that read back identical and still validate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
    dirs.push(dir);
    const path = join(dir, 'results.json');
    writeResults(path, sample());
    const read: unknown = JSON.parse(readFileSync(path, 'utf8'));
    expect(read).toEqual(sample());
    expect(validateResults(read)).toEqual([]);
  });

  it('refuses to write a non-finite figure, and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
    dirs.push(dir);
    const path = join(dir, 'results.json');
    const bad = sample();
    const broken = { ...bad, sections: [{ ...bad.sections[0]!, rows: [{ contender: 'x', usPerOp: Number.NaN }] }] };
    expect(() => writeResults(path, broken)).toThrow(/rows\[0\]\.usPerOp is not a finite number/);
    expect(() => readFileSync(path)).toThrow();
  });

  it('names each problem of a malformed document', () => {
    const good = sample();
    expect(validateResults(null)).toEqual(['results is not an object']);
    expect(validateResults({ ...good, schema: 'other/0' })).toContain(`schema must be ${RESULTS_SCHEMA}`);
    expect(validateResults({ ...good, sections: [] })).toContain('sections must be a non-empty array');
    expect(validateResults({ ...good, finishedAt: 'yesterday' })).toContain('finishedAt must be an ISO instant');
    const missingColumn = { ...good, sections: [{ ...good.sections[0]!, rows: [{ contender: 'x' }] }] };
    expect(validateResults(missingColumn)).toContain('sections[0].rows[0] lacks usPerOp');
  });

  it('catches a target whose verdict contradicts its figures', () => {
    const good = sample();
    const lying = { ...good, targets: [{ ...good.targets[0]!, measured: 1.2, met: true }] };
    expect(validateResults(lying)).toContain('targets[0].met disagrees with measured and limit');
  });

  it('judges max and min targets, and leaves unmeasured ones open', () => {
    expect(judge(0.8, 0.8, 'max')).toBe(true);
    expect(judge(0.81, 0.8, 'max')).toBe(false);
    expect(judge(2, 2, 'min')).toBe(true);
    expect(judge(1.9, 2, 'min')).toBe(false);
    expect(judge(null, 2, 'min')).toBeNull();
    expect(judge(Number.NaN, 2, 'min')).toBeNull();
  });
});
