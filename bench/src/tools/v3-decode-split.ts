// Times only the v3 decode contenders (tradestate, wechatpay-axios-plugin, the RSA floor) on the bench's fixture,
// a quicker loop than the full decode bench while working on decodeOrderQueryV3.
// Usage: tsx --conditions @tradestate/source src/tools/v3-decode-split.ts [ops per round=4000] [rounds=9]

import {
  floorV3Decoder,
  tradestateV3Decoder,
  v3DecodeFixture,
  wechatpayAxiosPluginV3Decoder,
} from '../decode/v3-contenders.ts';
import { interleavedRounds } from '../harness/rounds.ts';
import { median, round } from '../harness/stats.ts';

const opsPerRound = Number(process.argv[2] ?? 4000);
const rounds = Number(process.argv[3] ?? 9);
const fixture = v3DecodeFixture();
const contenders = [tradestateV3Decoder(fixture), wechatpayAxiosPluginV3Decoder(fixture), floorV3Decoder(fixture)];
const perRound = await interleavedRounds(
  contenders.map((c) => ({
    name: c.name,
    run(ops: number) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < ops; i++) {
        if (c.decode(fixture.headers, fixture.bytes, fixture.text) !== 'SUCCESS') throw new Error(c.name);
      }
      return process.hrtime.bigint() - start;
    },
  })),
  { opsPerRound, rounds, warmupRounds: 2 },
);
const ours = median(perRound.get('tradestate v3') ?? []);
for (const [name, values] of perRound) {
  const m = median(values);
  console.log(`${name.padEnd(30)} ${round(m).toString().padStart(8)} µs/op  ours/this ${round(ours / m)}`);
}
