// The checkout on http://127.0.0.1:3000 against an in-process sandbox.
// Run with `pnpm --filter @tradestate-examples/checkout-web start`; PORT and DEADLINE_MS override the defaults,
// and `-- --api v3` (or WECHATPAY_API=v3) runs the whole checkout over WeChat Pay APIv3 instead of v2.
import { schedules } from '@tradestate/machine';
import { createPayClient, createPayClientV3 } from '@tradestate/protocol';
import { defaultMerchant, startSandbox } from '@tradestate/sandbox';
import { OrderBook } from './order-book.ts';
import { sandboxPayments } from './sandbox-payments.ts';
import { buildCheckoutServer } from './server.ts';

const port = Number(process.env['PORT'] ?? 3000);
const deadlineMs = Number(process.env['DEADLINE_MS'] ?? 60_000);
const apiFlag = process.argv.indexOf('--api');
const api = (apiFlag >= 0 ? process.argv[apiFlag + 1] : process.env['WECHATPAY_API']) === 'v3' ? 'v3' : 'v2';

const sandbox = await startSandbox();
const v3Client =
  api === 'v3' && sandbox.v3 !== undefined ? createPayClientV3({ ...sandbox.v3, baseURL: sandbox.url }) : undefined;
const client = v3Client ?? createPayClient({ ...defaultMerchant, baseURL: sandbox.url });
const book = new OrderBook({
  client,
  schedule: schedules.native,
  deadlineMs,
  // WeChat lets an order be closed 5 minutes after its creation; the sandbox allows it sooner.
  closeAfterMs: Number(process.env['CLOSE_AFTER_MS'] ?? 300_000),
});
const app = await buildCheckoutServer({
  book,
  payments: sandboxPayments(sandbox, api),
  merchant: defaultMerchant,
  v3Client,
});
await app.listen({ port, host: '127.0.0.1' });
console.log(
  `checkout on http://127.0.0.1:${port} over WeChat Pay ${api} (sandbox on ${sandbox.url}); orders close after ${deadlineMs} ms`,
);

const stop = async () => {
  await app.close();
  book.close();
  await sandbox.close();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
