// `pnpm --filter @tradestate/reliability limiter-bursts`: prints how many grants of one saturated
// `createLimiter({ ratePerSecond })` fall in the busiest sliding 1000 ms window, stamped the moment each grant
// resolves (what a server counting arrivals would see, minus the network). Figures, not a test.
import { createLimiter } from '@tradestate/machine';
import { busiestSecond } from './soak/run-soak.ts';

async function measure(
  rate: number,
  workers: number,
  ms: number,
): Promise<{ grants: number; spanMs: number; busiest: number }> {
  const limiter = createLimiter({ ratePerSecond: rate });
  const stamps: number[] = [];
  const end = Date.now() + ms;
  const worker = async (n: number) => {
    while (Date.now() < end) {
      await limiter.acquire(`order-${n}`);
      stamps.push(Date.now());
      // Like a poll: some time passes before the same order asks again.
      await new Promise((resolve) => setTimeout(resolve, (n * 7919) % 300));
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, n) => worker(n)));
  const spanMs = (stamps.at(-1) ?? 0) - (stamps[0] ?? 0);
  return { grants: stamps.length, spanMs, busiest: busiestSecond(stamps) };
}

for (const rate of [10, 100, 400]) {
  const { grants, spanMs, busiest } = await measure(rate, rate * 2, 4000);
  console.log(
    JSON.stringify({ ratePerSecond: rate, workers: rate * 2, grants, spanMs, busiestSlidingSecond: busiest }),
  );
}
