import { parseArgs } from 'node:util';

export const BENCH_IDS = ['decode', 'poll-loop', 'queries', 'limiter'] as const;
export type BenchId = (typeof BENCH_IDS)[number];

export interface BenchArgs {
  readonly quick: boolean;
  readonly only: ReadonlySet<BenchId>;
  readonly out: string;
  /** Write a V8 CPU profile of each client child process into this directory. */
  readonly cpuProf: string | undefined;
}

const USAGE = `usage: pnpm bench [--quick] [--only decode,poll-loop,queries,limiter] [--out results.json] [--cpu-prof DIR]`;

/** Reads the command line of `pnpm bench`. Throws a usage message on anything unknown. */
export function readArgs(argv: readonly string[], defaultOut: string): BenchArgs {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string' },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(USAGE);
  const only = new Set<BenchId>();
  for (const id of (values.only ?? BENCH_IDS.join(',')).split(',')) {
    if (!(BENCH_IDS as readonly string[]).includes(id)) throw new Error(`unknown benchmark ${id}\n${USAGE}`);
    only.add(id as BenchId);
  }
  return { quick: values.quick, only, out: values.out ?? defaultOut, cpuProf: values['cpu-prof'] };
}
