// A till serving three customers against the local sandbox, ten times faster than real time:
// one pays after typing the password, one is declined by the bank, one walks away and the order is reversed.
// Run with `pnpm --filter @tradestate-examples/micropay-pos start`.
import { scaleSchedule, schedules } from '@tradestate/machine';
import { createPayClient, type TradeState } from '@tradestate/protocol';
import { defaultMerchant, startSandbox } from '@tradestate/sandbox';
import { chargeAtCounter } from './pos.ts';

const SPEED = 0.1;
const customers: { name: string; script: { afterMs: number; tradeState: TradeState }[] }[] = [
  { name: 'pays after 8 s', script: [{ afterMs: 8000, tradeState: 'SUCCESS' }] },
  { name: 'declined after 6 s', script: [{ afterMs: 6000, tradeState: 'PAYERROR' }] },
  { name: 'walks away', script: [] },
];

const sandbox = await startSandbox({ timeScale: SPEED });
const client = createPayClient({ ...defaultMerchant, baseURL: sandbox.url });
try {
  const results = await Promise.all(
    customers.map(async (customer, index) => {
      const outTradeNo = `POS${Date.now()}${index}`;
      // Stands in for the micropay call, which answered USERPAYING: the customer is typing the password.
      sandbox.createOrder({
        outTradeNo,
        totalFee: 1500,
        tradeType: 'MICROPAY',
        initialState: 'USERPAYING',
        script: customer.script,
      });
      let shown: string | undefined;
      const result = await chargeAtCounter({
        client,
        outTradeNo,
        schedule: scaleSchedule(schedules.micropay, SPEED),
        windowMs: 45_000 * SPEED,
        onChange: (watch) => {
          if (watch.tradeState === shown || watch.tradeState === undefined) return;
          shown = watch.tradeState;
          const words = shown === 'USERPAYING' ? "waiting for the customer's password…" : shown;
          console.log(`${customer.name.padEnd(20)} ${outTradeNo}: ${words}`);
        },
      });
      return { customer: customer.name, outTradeNo, ...result };
    }),
  );
  console.table(
    results.map(({ customer, outTradeNo, result, timeline, queries, reverseCalls }) => ({
      customer,
      outTradeNo,
      result,
      timeline: timeline.join(' → '),
      queries,
      reverseCalls,
    })),
  );
} finally {
  await sandbox.close();
}
