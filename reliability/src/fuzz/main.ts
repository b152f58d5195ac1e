// `pnpm fuzz [--runs 100000] [--seed N]`: the full hostile-input fuzz. Prints one JSON line with the counts and
// exits non-zero (with fast-check's shrunk counterexample and seed on stderr) on the first violation.
import { parseArgs } from 'node:util';
import { runFuzz } from './run-fuzz.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '100000' }, seed: { type: 'string' } },
  strict: true,
});
const runs = Number(values.runs);
if (!Number.isSafeInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
const seed = values.seed === undefined ? undefined : Number(values.seed);

try {
  const report = runFuzz(seed === undefined ? { runs } : { runs, seed });
  console.log(JSON.stringify(report));
} catch (err) {
  // fast-check keeps the property's own error as the cause: print both, the cause names the violation.
  console.error(err instanceof Error ? err.message : err);
  if (err instanceof Error && err.cause !== undefined)
    console.error('Cause:', err.cause instanceof Error ? err.cause.message : err.cause);
  process.exitCode = 1;
}
