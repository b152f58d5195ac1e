import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDecodeBench } from './decode/decode-bench.ts';
import { readArgs } from './harness/args.ts';
import { type BenchResults, machineInfo, RESULTS_SCHEMA, type Section, writeResults } from './harness/results.ts';
import { renderTable } from './harness/table.ts';
import { runLimiterBench } from './limiter/limiter-bench.ts';
import { runPollLoopBench } from './poll-loop/poll-loop-bench.ts';
import { runQueriesBench } from './queries/queries-bench.ts';
import { evaluateTargets, type Measurements } from './targets.ts';

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function printSection(section: Section): void {
  console.log(`\n## ${section.title}\n`);
  console.log(
    renderTable(
      section.columns.map((c) => c.label),
      section.rows.map((row) => section.columns.map((c) => row[c.key] ?? undefined)),
    ),
  );
  for (const note of section.notes) console.log(`  · ${note}`);
}

async function main(): Promise<void> {
  const args = readArgs(process.argv.slice(2), resolve(benchDir, 'results.json'));
  const started = Date.now();
  const sections: Section[] = [];
  const measurements: Measurements = {};
  console.log(
    `tradestate benchmarks (${args.quick ? 'quick' : 'full'}), ${machineInfo().cpus} cores, Node ${process.version}`,
  );

  if (args.only.has('decode')) {
    const decode = await runDecodeBench(
      args.quick
        ? { rounds: 5, warmupRounds: 1, opsPerRound: 500 }
        : { rounds: 15, warmupRounds: 2, opsPerRound: 2000 },
    );
    sections.push(decode.section);
    measurements.decode = decode.medians;
    printSection(decode.section);
  }

  if (args.only.has('poll-loop')) {
    const pollLoop = await runPollLoopBench({
      sizes: args.quick
        ? [{ n: 1000, intervalMs: 1500, rounds: 1 }]
        : [
            { n: 1000, intervalMs: 1500, rounds: 3 },
            // Three rounds, so the N = 10,000 verdicts (peak RSS above all, which swings with when V8's major
            // GCs fall) rest on a median; a 5 s interval keeps the whole run under five minutes.
            { n: 10_000, intervalMs: 5000, rounds: 3 },
          ],
      cpuProf: args.cpuProf,
    });
    sections.push(pollLoop.section);
    measurements.pollLoop = pollLoop.medians;
    printSection(pollLoop.section);
  }

  if (args.only.has('queries')) {
    const queries = await runQueriesBench(
      args.quick
        ? { size: 30, seed: 7, timeScale: 0.01, deadlineMs: 20 * 60_000, arrivalSpanMs: 5 * 60_000 }
        : { size: 40, seed: 7, timeScale: 0.02, deadlineMs: 20 * 60_000, arrivalSpanMs: 5 * 60_000 },
    );
    sections.push(queries.section);
    measurements.queries = queries.figures;
    printSection(queries.section);
  }

  if (args.only.has('limiter')) {
    const limiter = await runLimiterBench({
      watches: 5000,
      ratePerSecond: 100,
      durationMs: args.quick ? 5000 : 10_000,
    });
    sections.push(limiter.section);
    measurements.limiter = limiter.figures;
    printSection(limiter.section);
  }

  const targets = evaluateTargets(measurements);
  const results: BenchResults = {
    schema: RESULTS_SCHEMA,
    mode: args.quick ? 'quick' : 'full',
    command: `pnpm bench ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    machine: machineInfo(),
    // Which build of the library the benchmark imported: the dist (what users run) unless the source condition was set.
    runFrom: import.meta.resolve('@tradestate/machine').includes('/dist/') ? 'dist' : 'source',
    sections,
    targets,
  };
  console.log('\n## targets\n');
  console.log(
    renderTable(
      ['target', 'measured', 'limit', 'met', 'detail'],
      targets.map((t) => [
        t.description,
        t.measured ?? undefined,
        `${t.kind === 'max' ? '≤' : '≥'} ${t.limit}`,
        t.met === null ? 'not run' : t.met ? 'met' : 'MISSED',
        t.detail,
      ]),
    ),
  );
  writeResults(args.out, results);
  console.log(`\nwrote ${args.out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
