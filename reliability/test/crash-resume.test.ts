import { describe, expect, it } from 'vitest';
import { runCrashAndResume } from '../src/crash/run-crash.ts';

describe('crash and resume with the SQLite snapshot store', () => {
  it.each([
    ['watchOrders', 'engine', 11],
    ['one live watchOrder actor per order', 'actors', 12],
  ] as const)(
    '500 orders watched by %s: SIGKILL mid-way, resumeWatches in a new process, each ends once and as scripted',
    async (_name, watchers, seed) => {
      // Killed from outside at an arbitrary moment, 1.5 s after the first order ended (about a third of the way).
      const report = await runCrashAndResume({
        orders: 500,
        crash: { kind: 'after-first-end', ms: 1500 },
        watchers,
        seed,
        timeoutMs: 90_000,
      });
      console.log(JSON.stringify(report));
      expect(report.firstExit).toBe('SIGKILL');
      // The kill landed mid-way: some ended before, and the store held the rest.
      expect(report.endedBeforeKill).toBeGreaterThan(0);
      expect(report.endedBeforeKill).toBeLessThan(500);
      expect(report.resumed).toBe(500 - report.endedBeforeKill);
      expect(report.storedBound).toBe(report.resumed); // each stored watch kept its amount and merchant
      expect(report.secondExit).toBe('exit 0');
      expect(report).toMatchObject({ orders: 500, correct: 500, twice: 0, lost: 0, wrong: {}, leftInStore: 0 });
      expect(report.endedBeforeKill + report.endedAfterResume).toBe(500);
    },
    120_000,
  );

  it.each([
    ['watchOrders', 'engine', 21],
    ['one live watchOrder actor per order', 'actors', 22],
  ] as const)(
    '200 orders watched by %s: the process dies right after its 80th end was handled; no end is repeated or lost',
    async (_name, watchers, seed) => {
      // The worst moment: the kill runs in a microtask queued by the handler of the 80th end, so nothing but the
      // code that delivered that end has run since. A store written after the end (or later) would resume it.
      const report = await runCrashAndResume({
        orders: 200,
        crash: { kind: 'right-after-end', ends: 80 },
        watchers,
        seed,
        timeoutMs: 60_000,
      });
      console.log(JSON.stringify(report));
      expect(report.firstExit).toBe('SIGKILL');
      expect(report.endedBeforeKill).toBe(80);
      expect(report.resumed).toBe(120);
      expect(report.storedBound).toBe(120);
      expect(report.secondExit).toBe('exit 0');
      expect(report).toMatchObject({ orders: 200, correct: 200, twice: 0, lost: 0, wrong: {}, leftInStore: 0 });
      expect(report.endedAfterResume).toBe(120);
    },
    90_000,
  );
});
