// `pnpm --filter @tradestate/reliability crash [--orders 500] [--at after-first-end|after-ends|right-after-end]
//   [--ms 1500] [--ends 200] [--seed 1] [--watchers engine|actors]`: one crash-and-resume run. Prints the report as one JSON line and exits
// non-zero unless every order ended exactly once, as scripted, with the store left empty.
import { parseArgs } from 'node:util';
import { type CrashPoint, runCrashAndResume } from './run-crash.ts';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '500' },
    at: { type: 'string', default: 'after-first-end' },
    ms: { type: 'string', default: '1500' },
    ends: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    watchers: { type: 'string', default: 'engine' },
  },
  strict: true,
});

const crash: CrashPoint =
  values.at === 'after-first-end'
    ? { kind: 'after-first-end', ms: Number(values.ms) }
    : values.at === 'after-ends'
      ? { kind: 'after-ends', ends: Number(values.ends) }
      : values.at === 'right-after-end'
        ? { kind: 'right-after-end', ends: Number(values.ends) }
        : (() => {
            throw new Error('--at must be after-first-end, after-ends or right-after-end');
          })();

if (values.watchers !== 'engine' && values.watchers !== 'actors')
  throw new Error('--watchers must be engine or actors');
const report = await runCrashAndResume({
  orders: Number(values.orders),
  crash,
  watchers: values.watchers,
  seed: Number(values.seed),
});
console.log(JSON.stringify(report));
const clean = report.correct === report.orders && report.twice === 0 && report.lost === 0 && report.leftInStore === 0;
process.exitCode = clean ? 0 : 1;
