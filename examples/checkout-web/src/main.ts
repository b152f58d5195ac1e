// The checkout on http://127.0.0.1:3000 against an in-process sandbox.
// Run with `pnpm --filter @tradestate-examples/checkout-web start`; PORT and DEADLINE_MS override the defaults.
import { schedules } from '@tradestate/machine';
import { createPayClient } from '@tradestate/protocol';
import { defaultMerchant, startSandbox } from '@tradestate/sandbox';
import { OrderBook } from './order-book.ts';
import { sandboxPayments } from './sandbox-payments.ts';
import { buildCheckoutServer } from './server.ts';

const port = Number(process.env['PORT'] ?? 3000);
const deadlineMs = Number(process.env['DEADLINE_MS'] ?? 60_000);

const sandbox = await startSandbox();
const client = createPayClient({ ...defaultMerchant, baseURL: sandbox.url });
const book = new OrderBook({
  client,
  schedule: schedules.native,
  deadlineMs,
  // WeChat lets an order be closed 5 minutes after its creation; the sandbox allows it sooner.
  closeAfterMs: Number(process.env['CLOSE_AFTER_MS'] ?? 300_000),
});
const app = await buildCheckoutServer({ book, payments: sandboxPayments(sandbox), merchant: defaultMerchant });
await app.listen({ port, host: '127.0.0.1' });
console.log(
  `checkout on http://127.0.0.1:${port} (WeChat Pay sandbox on ${sandbox.url}); orders close after ${deadlineMs} ms`,
);

const stop = async () => {
  await app.close();
  book.close();
  await sandbox.close();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
