import { type BenchSignType, couponAnswerXml } from '../fixtures.ts';
import type { Section } from '../harness/results.ts';
import { interleavedRounds, type RoundSubject } from '../harness/rounds.ts';
import { median, relativeSpread, round } from '../harness/stats.ts';
import { type DecodeContender, decodeContenders } from './contenders.ts';
import { runV3DecodeRows } from './v3-decode-bench.ts';

export interface DecodeBenchOptions {
  readonly rounds: number;
  readonly warmupRounds: number;
  readonly opsPerRound: number;
}

/** µs/op medians of one sign type, by contender name. */
export type DecodeMedians = ReadonlyMap<string, number>;

function subject(contender: DecodeContender, xml: string): RoundSubject {
  return {
    name: contender.name,
    async run(ops) {
      let decoded = 0;
      const start = process.hrtime.bigint();
      for (let i = 0; i < ops; i++) {
        let state = contender.decode(xml);
        if (typeof state === 'object') state = await state;
        if (state === 'SUCCESS') decoded++;
      }
      const elapsed = process.hrtime.bigint() - start;
      // Also the sink that keeps the work observable: a decoder that stopped verifying would be caught here.
      if (decoded !== ops) throw new Error(`${contender.name} decoded ${decoded} of ${ops} answers`);
      return elapsed;
    },
  };
}

/** Checks each contender rejects a tampered answer, so the benchmark never times a decoder that skips verifying. */
async function assertVerifies(contender: DecodeContender, xml: string): Promise<void> {
  const tampered = xml.replace('<total_fee>1000<', '<total_fee>1001<');
  let accepted: string | undefined;
  try {
    accepted = await contender.decode(tampered);
  } catch {
    accepted = undefined;
  }
  if (accepted !== undefined) throw new Error(`${contender.name} accepted a tampered answer`);
}

/**
 * Decode benchmark: one orderquery answer with two coupons (1.4 KB), MD5 and HMAC-SHA256, every contender
 * decoding the same string in interleaved rounds; the figure is the median µs/op across rounds.
 */
export async function runDecodeBench(options: DecodeBenchOptions): Promise<{
  section: Section;
  medians: ReadonlyMap<BenchSignType, DecodeMedians>;
}> {
  const rows: Record<string, string | number | null>[] = [];
  const medians = new Map<BenchSignType, DecodeMedians>();
  for (const signType of ['MD5', 'HMAC-SHA256'] as const) {
    const xml = couponAnswerXml(signType);
    const contenders = decodeContenders(signType);
    for (const contender of contenders) await assertVerifies(contender, xml);
    const perRound = await interleavedRounds(
      contenders.map((c) => subject(c, xml)),
      options,
    );
    const byName = new Map<string, number>();
    for (const [name, values] of perRound) byName.set(name, median(values));
    medians.set(signType, byName);
    const ours = byName.get('tradestate') as number;
    for (const [name, values] of perRound) {
      const us = byName.get(name) as number;
      rows.push({
        signType,
        contender: name,
        usPerOp: round(us),
        spread: round(relativeSpread(values) * 100, 2),
        oursVsThis: round(ours / us),
      });
    }
  }
  // APIv3 (issue 14): one v3 answer, tradestate's decoder against wechatpay-axios-plugin's v3 verifier.
  const v3 = await runV3DecodeRows(options);
  rows.push(...v3.rows);
  return {
    section: {
      id: 'decode',
      title: 'decode: one orderquery answer with two coupons (1.4 KB)',
      columns: [
        { key: 'signType', label: 'sign' },
        { key: 'contender', label: 'contender' },
        { key: 'usPerOp', label: 'µs/op (median)' },
        { key: 'spread', label: 'round spread %' },
        { key: 'oursVsThis', label: 'tradestate ÷ this' },
      ],
      rows,
      notes: [
        `${options.rounds} interleaved rounds of ${options.opsPerRound} decodes per contender after ${options.warmupRounds} warm-up round(s); median µs/op.`,
        'tradestate: decodeOrderQuery = size cap, DOCTYPE refusal, strict flat scan (fast-xml-parser validator off the hot path, issue 12), signature over every field, binding to appid/mch_id/out_trade_no, normalised Order.',
        'wechatpay-axios-plugin: its Transformer response pair (fast-xml-parser parse + verifier) as its v2 client calls them. tenpay: Payment#_parse (xml2js + sign + ids), awaited as its API requires.',
        'floor: one regex scan + one digest, no validation: the irreducible part.',
        ...v3.notes,
      ],
    },
    medians,
  };
}
