// Splits one poll's client CPU by layer: the same orderquery against the sandbox (another process), with a
// few queries in flight, through each layer of the stack. Shows where a poll's cost above the floor goes.
// Usage (after pnpm build): tsx src/tools/layer-split.ts [queries per round=3000] [rounds=7]

import { createPayClient, decodeOrderQuery } from '@tradestate/protocol';
import { Axios } from 'axios';
import { createNodeAdapter } from '../../../packages/protocol/src/node-adapter.ts';
import { MERCHANT } from '../fixtures.ts';
import { createFloorQuery } from '../floor/floor-client.ts';
import { interleavedRounds, type RoundSubject } from '../harness/rounds.ts';
import { median } from '../harness/stats.ts';
import { SandboxHandle } from '../sandbox/sandbox-handle.ts';

const opsPerRound = Number(process.argv[2] ?? 3000);
const rounds = Number(process.argv[3] ?? 7);
const IN_FLIGHT = 8;

const sandbox = await SandboxHandle.start({ timeScale: 1, seed: 1 });
const ids = Array.from({ length: IN_FLIGHT }, (_, i) => `SPLIT${i}`);
await sandbox.createOrders(
  ids.map((outTradeNo) => ({
    outTradeNo,
    totalFee: 1000,
    tradeType: 'MICROPAY' as const,
    initialState: 'NOTPAY' as const,
    coupons: [
      { id: '10000', type: 'NO_CASH' as const, fee: 100 },
      { id: '10001', type: 'CASH' as const, fee: 100 },
    ],
    script: [],
  })),
);

/** Runs `ops` calls of `one`, IN_FLIGHT at a time, and returns the process CPU they took, in ns. */
function cpuSubject(name: string, one: (outTradeNo: string) => Promise<unknown>): RoundSubject {
  return {
    name,
    async run(ops) {
      const cpu0 = process.cpuUsage();
      let next = 0;
      const lane = async (id: string) => {
        while (next < ops) {
          next++;
          await one(id);
        }
      };
      await Promise.all(ids.map(lane));
      const cpu = process.cpuUsage(cpu0);
      return BigInt(cpu.user + cpu.system) * 1000n;
    },
  };
}

const client = createPayClient({ ...MERCHANT, baseURL: sandbox.url });
const floor = createFloorQuery(sandbox.url);
// As createPayClient builds its default instance: a bare Axios whose only defaults are the transport settings.
const bareAxios = new Axios({
  baseURL: sandbox.url,
  adapter: createNodeAdapter({ maxBytes: 65536 }),
  responseType: 'text',
  transformRequest: [],
  transformResponse: [],
  validateStatus: null,
});
const adapter = createNodeAdapter({ maxBytes: 65536 });
const body = (id: string) =>
  // Any signed body will do for the transport layers: the sandbox answers; only the clients decode.
  `<xml><appid>${MERCHANT.appId}</appid><mch_id>${MERCHANT.mchId}</mch_id><out_trade_no>${id}</out_trade_no></xml>`;

const subjects = [
  cpuSubject('floor (node:http + regex + MD5)', (id) => floor(id)),
  cpuSubject('adapter alone (no axios, no decode)', (id) =>
    adapter({ url: `${sandbox.url}/pay/orderquery`, method: 'post', data: body(id), headers: {} } as never),
  ),
  cpuSubject('axios + adapter (no decode)', (id) => bareAxios.post('/pay/orderquery', body(id))),
  cpuSubject('createPayClient().queryOrder', (id) => client.queryOrder({ outTradeNo: id })),
];
const perRound = await interleavedRounds(subjects, { rounds, warmupRounds: 2, opsPerRound });
for (const [name, values] of perRound) console.log(`${median(values).toFixed(1).padStart(7)} µs CPU/query  ${name}`);
const sample = await client.queryOrder({ outTradeNo: ids[0] as string });
console.log(`(answer: ${sample.kind}; decode alone is measured by pnpm bench --only decode)`);
void decodeOrderQuery;
await sandbox.close();
