import { sign } from '@tradestate/protocol/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzBody } from '../src/fuzz/bodies.ts';
import { compareCacheModes, compareParsers } from '../src/fuzz/differential.ts';
import { notificationReplay } from '../src/fuzz/notification-bodies.ts';
import { notificationVerdict } from '../src/fuzz/notification-oracle.ts';
import { FUZZ_KEY, forgeryReason, independentSign } from '../src/fuzz/oracle.ts';
import { runFuzz } from '../src/fuzz/run-fuzz.ts';

// The quick run of `pnpm fuzz`: same generators, same checks, a fixed seed per day so a failure reproduces with
// `pnpm fuzz --seed <seed>` and different days still explore different bodies. CI also runs 100,000 bodies of the
// same day's seed as a step of its own (.ci/run): the proof that lets the scanner stand in for fast-xml-parser's
// validator on the hot path (issue 12).
const CI_RUNS = 5_000;
const seed = Math.floor(Date.now() / 86_400_000);

describe('fuzz: decoders under mutated and random bodies', () => {
  it(`${CI_RUNS} bodies: only outcomes or typed errors, no order without a valid sign, no payment but a genuine one, parsers agree`, () => {
    const report = runFuzz({ runs: CI_RUNS, seed });
    console.log(`fuzz seed ${seed}: ${JSON.stringify(report)}`);
    expect(report.bodies).toBe(CI_RUNS);
    // The generators must reach every path, or the run proves little: acceptances, refusals of each kind.
    expect(report.orderquery['order']).toBeGreaterThan(CI_RUNS / 50);
    expect(report.orderquery['not-found']).toBeGreaterThan(0);
    expect(report.orderquery['error']).toBeGreaterThan(0);
    expect(report.notification['SUCCESS']).toBeGreaterThan(CI_RUNS / 50);
    for (const code of ['SIGNATURE_INVALID', 'SIGNATURE_MISSING', 'MALFORMED_XML', 'NOT_XML', 'XML_DOCTYPE']) {
      expect(report.orderquery[code], code).toBeGreaterThan(0);
    }
    expect(report.differential['both-accept']).toBeGreaterThan(CI_RUNS / 50);
    // Every body read the same with the codec's caches on and off, and none was accepted that the reference refuses.
    expect(report.differential['caches-agree']).toBe(CI_RUNS);
    expect(report.differential['reference-refuses']).toBeUndefined();
    // Genuine signed bodies of every kind replayed as notifications: the oracle agreed on each, and the run saw
    // payments accepted and every kind of refusal.
    expect(report.origins['notification-replay']).toBeGreaterThan(CI_RUNS / 10);
    expect(report.replays['SUCCESS']).toBeGreaterThan(CI_RUNS / 100);
    for (const code of ['NOT_A_PAYMENT', 'MISMATCH', 'SIGNATURE_INVALID', 'SIGNATURE_MISSING', 'MALFORMED_RESPONSE']) {
      expect(report.replays[code], code).toBeGreaterThan(0);
    }
  }, 120_000);
});

describe('fuzz: the oracle is independent and strict', () => {
  it('reproduces the library signer on arbitrary fields (so a disagreement means a bug in one of them)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), fc.string({ maxLength: 12 })),
        fc.constantFrom('MD5' as const, 'HMAC-SHA256' as const),
        (fields, signType) => {
          expect(independentSign(fields, FUZZ_KEY, signType)).toBe(sign(fields, FUZZ_KEY, signType));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('flags an acceptance of a forged, re-signed or altered field set', () => {
    const original = { return_code: 'SUCCESS', trade_state: 'NOTPAY', out_trade_no: 'A1' };
    const accepted = { ...original, sign: independentSign(original, FUZZ_KEY, 'MD5') };
    expect(forgeryReason(accepted, original, 'MD5')).toBeUndefined();
    expect(forgeryReason({ ...accepted, device_info: '' }, original, 'MD5')).toBeUndefined();
    expect(forgeryReason({ ...accepted, trade_state: 'SUCCESS' }, original, 'MD5')).toMatch(/independent signer/);
    expect(forgeryReason(accepted, undefined, 'MD5')).toMatch(/no key holder/);
    expect(forgeryReason(accepted, original, 'HMAC-SHA256')).toMatch(/independent signer/);
    const { sign: _removed, ...unsigned } = accepted;
    expect(forgeryReason(unsigned, original, 'MD5')).toMatch(/without a sign/);
    const other = { ...original, trade_state: 'SUCCESS' };
    const resigned = { ...other, sign: independentSign(other, FUZZ_KEY, 'MD5') };
    expect(forgeryReason(resigned, original, 'MD5')).toMatch(/differ from the signed set/);
  });

  it('the notification oracle calls only a genuine payment result about the expected order SUCCESS', () => {
    const payment = {
      return_code: 'SUCCESS',
      appid: 'wxd930ea5d5a258f4f',
      mch_id: '10000100',
      result_code: 'SUCCESS',
      transaction_id: '4200000000202611270000000001',
      out_trade_no: 'A1',
      total_fee: '100',
      time_end: '20261127071200',
    };
    const signed = (fields: Record<string, string>, signType: 'MD5' | 'HMAC-SHA256' = 'MD5') => ({
      ...fields,
      sign: independentSign(fields, FUZZ_KEY, signType),
    });
    const expectation = { mchId: '10000100', outTradeNo: 'A1', totalFee: 100 };
    expect(notificationVerdict(signed(payment), 'MD5', expectation)).toBe('SUCCESS');
    expect(notificationVerdict(signed({ ...payment, trade_state: 'SUCCESS' }), 'MD5', expectation)).toBe('SUCCESS');
    expect(notificationVerdict(signed({ ...payment, trade_state: 'NOTPAY' }), 'MD5', expectation)).toBe(
      'NOT_A_PAYMENT',
    );
    expect(notificationVerdict(signed({ ...payment, trade_state: '' }), 'MD5', expectation)).toBe('NOT_A_PAYMENT');
    expect(notificationVerdict(signed({ ...payment, refund_id: '1' }), 'MD5', expectation)).toBe('NOT_A_PAYMENT');
    expect(notificationVerdict(signed({ ...payment, time_end: '' }), 'MD5', expectation)).toBe('NOT_A_PAYMENT');
    expect(notificationVerdict(signed({ ...payment, total_fee: '1' }), 'MD5', expectation)).toBe('MISMATCH');
    expect(notificationVerdict(signed({ ...payment, fee_type: 'USD' }), 'MD5', expectation)).toBe('MISMATCH');
    const { mch_id: _m, ...anonymous } = payment;
    expect(notificationVerdict(signed(anonymous), 'MD5', expectation)).toBe('MISMATCH');
    expect(notificationVerdict(signed(payment, 'HMAC-SHA256'), 'MD5', expectation)).toBe('SIGNATURE_INVALID');
    expect(notificationVerdict(signed({ ...payment, sign_type: 'HMAC-SHA256' }), 'MD5', expectation)).toBe(
      'SIGNATURE_INVALID',
    );
    expect(notificationVerdict({ ...payment, trade_state: 'NOTPAY' }, 'MD5', expectation)).toBe('SIGNATURE_MISSING');
  });

  it('the differential flags a scanner that reads differently from fast-xml-parser', () => {
    expect(compareParsers('<xml><a>1</a><b><![CDATA[x<y]]></b></xml>')).toEqual({ kind: 'both-accept' });
    expect(compareParsers('<xml><a>1</a><a>2</a></xml>')).toEqual({ kind: 'scanner-refuses' });
    expect(compareParsers('<xml><a>1\r\n2</a></xml>')).toEqual({ kind: 'both-accept-line-ends-differ' });
    // The body of `pnpm fuzz --seed 474354941` (issue 12): fast-xml-parser reads a root of only whitespace as the
    // text "\n\t", the scanner read it as {}; now the scanner refuses it.
    expect(compareParsers(Buffer.from('\uFEFF<xml>\r\n\t</xml>'))).toEqual({ kind: 'scanner-refuses' });
  });

  it('reads each body with the codec caches on and off, and leaves them on', () => {
    const shape = (n: number) =>
      `<xml><appid>wx${n}</appid><mch_id>1</mch_id><sign>S</sign><total_fee>${n}</total_fee></xml>`;
    // The first body teaches the scanner and the signer a shape; the next ones are read through it, then without.
    for (let n = 0; n < 3; n++) expect(compareCacheModes(shape(n))).toBeUndefined();
    expect(compareCacheModes('<xml><appid>wx</appid><appid>again</appid></xml>')).toBeUndefined();
    // Had the switch been left off, the scanner would not remember this new shape: the template path stays in use.
    expect(compareCacheModes('<xml><b>1</b><a>2</a></xml>')).toBeUndefined();
    expect(compareParsers('<xml><b>1</b><a>2</a></xml>')).toEqual({ kind: 'both-accept' });
  });

  it("the reference refuses what fast-xml-parser's validator refuses", () => {
    // A body the scanner refuses too, so the differential reports the scanner first; the reference alone decides
    // on a body only the scanner could accept, which is what a run must never see.
    expect(compareParsers('<xml><a>1</b></xml>')).toEqual({ kind: 'scanner-refuses' });
  });

  it('generates bodies of every origin', () => {
    const origins = new Set(fc.sample(fuzzBody, { numRuns: 500, seed: 7 }).map((body) => body.origin));
    expect([...origins].sort()).toEqual([
      'mutated-bytes',
      'mutated-text',
      'notification-replay',
      'random-bytes',
      'random-text',
      'xml-tokens',
    ]);
  });

  it('replays genuine bodies of every kind, edited and re-signed or not', () => {
    const samples = fc.sample(notificationReplay, { numRuns: 2_000, seed: 7 });
    const kinds = new Set(samples.map((replay) => replay.kind.replace(/^orderquery-.*/, 'orderquery')));
    expect([...kinds].sort()).toEqual([
      'closeorder',
      'ordernotexist',
      'orderquery',
      'payment',
      'refund-answer',
      'refund-notification',
      'result-fail',
      'return-fail',
      'reverse',
    ]);
    const states = new Set(samples.filter((r) => r.kind.startsWith('orderquery-')).map((r) => r.kind));
    expect(states.size).toBe(8);
    const edits = samples.flatMap((replay) => replay.edits);
    for (const edit of [
      'sign: resign',
      'sign: keep',
      'sign: other-key',
      'sign: strip',
      'remove time_end',
      'total_fee 1',
    ]) {
      expect(edits, edit).toContain(edit);
    }
  });
});
