// Runs the whole vitest suite and ends with the one line CI reads:
// "N passed, N failed". The counts come from vitest's JSON reporter, not from
// scraping its human output, so they cannot drift from what actually ran.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { provision } from './provision.mjs';

const unmet = provision();
if (unmet !== undefined) {
  console.error(unmet);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const resultsDir = '.vitest';
const resultsFile = join(resultsDir, 'results.json');
mkdirSync(resultsDir, { recursive: true });
rmSync(resultsFile, { force: true });

const run = spawnSync(
  'pnpm',
  [
    'exec',
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${resultsFile}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0);
  // A suite that fails to load has no tests to count; it still fails the run.
  failed += report.testResults.filter((r) => r.status === 'failed' && r.assertionResults.length === 0).length;
} catch {
  failed = Math.max(failed, 1);
}
// Vitest also fails a run for errors outside any test (an unhandled rejection, a worker that died): the closing
// line must not say "0 failed" for a run that failed.
if (run.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
