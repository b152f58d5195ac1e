// Runs the cloud function on this machine against the local sandbox, with `createFakeCloud` standing in for
// WeChat's cloud. Run with `pnpm --filter @tradestate-examples/cloud-function try`.
import { startSandbox } from '@tradestate/sandbox';
import { createIsPaidHandler } from './handler.ts';
import { createFakeCloud } from './local-cloud.ts';

const provider = { appId: 'wx8888888888888888', mchId: '1900000109', key: 'c'.repeat(32) };
const subMchId = '1900000110';

const sandbox = await startSandbox({ merchants: [{ ...provider, subMerchants: [{ subMchId }] }] });
try {
  const outTradeNo = `MP${Date.now()}`;
  // The Mini Program has just called wx.requestPayment; the customer confirms 3 s later.
  sandbox.createOrder({
    outTradeNo,
    totalFee: 2500,
    tradeType: 'JSAPI',
    mchId: provider.mchId,
    subMchId,
    script: [{ afterMs: 3000, tradeState: 'SUCCESS' }],
  });
  const main = createIsPaidHandler(createFakeCloud(sandbox.url, provider), { subMchId });
  console.log('asked at once:      ', await main({ outTradeNo }));
  console.log('waiting up to 10 s: ', await main({ outTradeNo, waitMs: 10_000 }));
  console.log('an unknown order:   ', await main({ outTradeNo: 'NOSUCHORDER' }));
} finally {
  await sandbox.close();
}
