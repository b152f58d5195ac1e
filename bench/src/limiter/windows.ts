/** The largest number of instants in any half-open window `[t, t + windowMs)`, over sorted instants. */
export function maxInWindow(sorted: readonly number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** Requests per second between the first and the last instant. */
export function meanRate(sorted: readonly number[]): number {
  if (sorted.length < 2) return 0;
  return ((sorted.length - 1) * 1000) / ((sorted.at(-1) as number) - (sorted[0] as number));
}
