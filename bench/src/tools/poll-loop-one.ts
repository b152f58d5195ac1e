// Runs one poll-loop contender at one size, a few times, and prints its CPU per poll and memory per order:
// the quick loop for working on a missed target (the full comparison is `pnpm bench --only poll-loop`).
// Usage (after pnpm build): tsx src/tools/poll-loop-one.ts [contender=tradestate] [n=10000]
//        [intervalMs=10000] [rounds=1] [cpuProfDir]
import { measureOnce } from '../poll-loop/poll-loop-bench.ts';
import { POLL_LOOP_CONTENDERS, type PollLoopContenderName } from '../poll-loop/watchers.ts';
import { SandboxHandle } from '../sandbox/sandbox-handle.ts';

const [contenderArg = 'tradestate', nArg = '10000', intervalArg = '10000', roundsArg = '1', cpuProf] =
  process.argv.slice(2);
if (!(POLL_LOOP_CONTENDERS as readonly string[]).includes(contenderArg)) {
  throw new Error(`unknown contender ${contenderArg}: one of ${POLL_LOOP_CONTENDERS.join(', ')}`);
}
const contender = contenderArg as PollLoopContenderName;
const size = { n: Number(nArg), intervalMs: Number(intervalArg), rounds: Number(roundsArg) };
const sandbox = await SandboxHandle.start({ timeScale: 1, seed: 1 });
try {
  for (let r = 0; r < size.rounds; r++) {
    const { polls, figures: f } = await measureOnce(sandbox, contender, size, `one-${r}`, cpuProf);
    const kb = (bytes: number) => (bytes / size.n / 1024).toFixed(2);
    console.log(
      `${contender} N=${size.n}: ${((f.cpuUserUs + f.cpuSystemUs) / polls).toFixed(0)} µs/poll ` +
        `(user ${(f.cpuUserUs / polls).toFixed(0)}, system ${(f.cpuSystemUs / polls).toFixed(0)}), ${polls} polls, ` +
        `peak RSS ${kb(f.peakRss - f.baselineRss)} KB/order, after GC RSS ${kb(f.rssAtFull - f.baselineRss)} ` +
        `heap ${kb(f.heapAtFull - f.baselineHeap)} KB/order, paid ${f.paid}, errors ${f.errors}`,
    );
  }
} finally {
  await sandbox.close();
}
