import { interleavedRounds, type RoundSubject } from '../harness/rounds.ts';
import { median, relativeSpread, round } from '../harness/stats.ts';
import type { DecodeBenchOptions } from './decode-bench.ts';
import {
  floorV3Decoder,
  tradestateV3Decoder,
  type V3DecodeContender,
  type V3DecodeFixture,
  v3DecodeFixture,
  wechatpayAxiosPluginV3Decoder,
} from './v3-contenders.ts';

function subject(contender: V3DecodeContender, fixture: V3DecodeFixture): RoundSubject {
  return {
    name: contender.name,
    run(ops) {
      let decoded = 0;
      const start = process.hrtime.bigint();
      for (let i = 0; i < ops; i++) {
        if (contender.decode(fixture.headers, fixture.bytes, fixture.text) === 'SUCCESS') decoded++;
      }
      const elapsed = process.hrtime.bigint() - start;
      if (decoded !== ops) throw new Error(`${contender.name} decoded ${decoded} of ${ops} answers`);
      return elapsed;
    },
  };
}

/** Each contender must refuse the same answer with its amount changed: never time a decoder that skips verifying. */
function assertVerifies(contender: V3DecodeContender, fixture: V3DecodeFixture): void {
  const text = fixture.text.replace('"total":1000', '"total":1001');
  let accepted: string | undefined;
  try {
    accepted = contender.decode(fixture.headers, Buffer.from(text), text);
  } catch {
    accepted = undefined;
  }
  if (accepted !== undefined) throw new Error(`${contender.name} accepted a tampered v3 answer`);
}

/**
 * The v3 rows of the decode benchmark: one signed APIv3 order answer (~0.8 KB), decoded by tradestate's
 * `decodeOrderQueryV3` (verify + parse + normalise) and by wechatpay-axios-plugin's v3 response verifier followed
 * by axios's JSON transform, in interleaved rounds; `oursVsThis` is tradestate ÷ the row (goal ≤ 0.8 for the peer).
 */
export async function runV3DecodeRows(
  options: DecodeBenchOptions,
): Promise<{ rows: Record<string, string | number | null>[]; notes: string[]; ratio: number }> {
  const fixture = v3DecodeFixture();
  const contenders = [tradestateV3Decoder(fixture), wechatpayAxiosPluginV3Decoder(fixture), floorV3Decoder(fixture)];
  for (const contender of contenders) assertVerifies(contender, fixture);
  const perRound = await interleavedRounds(
    contenders.map((c) => subject(c, fixture)),
    options,
  );
  const medians = new Map<string, number>();
  for (const [name, values] of perRound) medians.set(name, median(values));
  const ours = medians.get('tradestate v3') as number;
  const rows = [...perRound].map(([name, values]) => ({
    signType: 'RSA (v3)',
    contender: name,
    usPerOp: round(medians.get(name) as number),
    spread: round(relativeSpread(values) * 100, 2),
    oursVsThis: round(ours / (medians.get(name) as number)),
  }));
  const ratio = ours / (medians.get('wechatpay-axios-plugin v3') as number);
  return {
    rows,
    ratio,
    notes: [
      `RSA (v3): one signed APIv3 order answer (${fixture.bytes.length} B). tradestate: decodeOrderQueryV3 = Wechatpay-* headers (each once), SIGNTEST refusal, pinned serial, ±5 min, RSA-SHA256 over the raw bytes, bounded JSON (size, depth, __proto__), binding to mchid/out_trade_no/amount, normalised Order. wechatpay-axios-plugin: Decorator.responseVerifier (headers, ±5 min, serial, RSA) + axios's default JSON transform, as its v3 client composes them. Goal: tradestate ≤ 0.8× the peer; measured ${round(ratio)}×. floor v3: the RSA-SHA256 verification alone, which both pay.`,
    ],
  };
}
