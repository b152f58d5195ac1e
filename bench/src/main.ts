import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDecodeBench } from './decode/decode-bench.ts';
import { readArgs } from './harness/args.ts';
import { type BenchResults, machineInfo, RESULTS_SCHEMA, type Section, writeResults } from './harness/results.ts';
import { renderTable } from './harness/table.ts';
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

  const targets = evaluateTargets(measurements);
  const results: BenchResults = {
    schema: RESULTS_SCHEMA,
    mode: args.quick ? 'quick' : 'full',
    command: `pnpm bench ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    machine: machineInfo(),
    runFrom: 'source',
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
        t.limit,
        t.met === null ? 'not run' : t.met ? 'yes' : 'NO',
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
