// `pnpm soak [--orders 2000] [--seconds 120] [--seed 1] [--rate 400] [--replays auto|on|off]`: the fault soak. Prints one JSON line and
// exits non-zero unless every order ended as scripted with no false terminal, regression, loss or unhandled
// rejection.
import { parseArgs } from 'node:util';
import { runSoak, soakPassed } from './run-soak.ts';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '120' },
    seed: { type: 'string', default: '1' },
    rate: { type: 'string', default: '400' },
    replays: { type: 'string', default: 'auto' },
  },
  strict: true,
});

function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const replays = values.replays;
if (replays !== 'auto' && replays !== 'on' && replays !== 'off') throw new Error('--replays must be auto, on or off');
const report = await runSoak({
  orders: positive('orders', values.orders),
  seconds: positive('seconds', values.seconds),
  seed: positive('seed', values.seed),
  ratePerSecond: positive('rate', values.rate),
  replays,
  log: (line) => console.error(line),
});
console.log(JSON.stringify(report));
process.exitCode = soakPassed(report) ? 0 : 1;
