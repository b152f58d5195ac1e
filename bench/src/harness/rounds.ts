/** Something measured in rounds: one call runs `ops` operations and returns the elapsed nanoseconds. */
export interface RoundSubject {
  readonly name: string;
  run(ops: number): Promise<bigint> | bigint;
}

export interface RoundsOptions {
  readonly rounds: number;
  readonly warmupRounds: number;
  readonly opsPerRound: number;
}

/**
 * Runs every subject `rounds` times, interleaved and in a rotating order (A B C, B C A, C A B…), so drift of
 * the machine (thermal, another process, GC debt left by the previous subject) lands on all subjects alike.
 * Returns the µs/op of each round per subject, warm-up rounds excluded.
 */
export async function interleavedRounds(
  subjects: readonly RoundSubject[],
  options: RoundsOptions,
): Promise<Map<string, number[]>> {
  const perRound = new Map<string, number[]>(subjects.map((s) => [s.name, []]));
  const total = options.warmupRounds + options.rounds;
  for (let round = 0; round < total; round++) {
    for (let i = 0; i < subjects.length; i++) {
      const subject = subjects[(i + round) % subjects.length] as RoundSubject;
      const ns = await subject.run(options.opsPerRound);
      if (round >= options.warmupRounds) perRound.get(subject.name)?.push(Number(ns) / 1000 / options.opsPerRound);
    }
  }
  return perRound;
}
