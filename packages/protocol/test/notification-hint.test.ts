import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildXml } from '../src/codec.ts';
import { readNotificationHint } from '../src/index.ts';
import { PAID_FIELDS, signedXml } from './fixtures.ts';

const CORPUS = join(import.meta.dirname, 'hostile');

describe('readNotificationHint', () => {
  it('reads out_trade_no, preferred over transaction_id, without checking any sign', () => {
    expect(readNotificationHint(signedXml(PAID_FIELDS))).toEqual({ outTradeNo: '1415757673' });
    const forged = buildXml({ return_code: 'SUCCESS', out_trade_no: 'A1', sign: 'not a sign' });
    expect(readNotificationHint(forged)).toEqual({ outTradeNo: 'A1' });
    expect(readNotificationHint(Buffer.from(forged))).toEqual({ outTradeNo: 'A1' });
  });

  it('falls back to transaction_id when out_trade_no is absent or not a valid order id', () => {
    const id = '4200000000202611270000000001';
    expect(readNotificationHint(buildXml({ transaction_id: id }))).toEqual({ transactionId: id });
    expect(readNotificationHint(buildXml({ out_trade_no: 'has space', transaction_id: id }))).toEqual({
      transactionId: id,
    });
  });

  it.each([
    ['an id over 32 characters', buildXml({ out_trade_no: 'a'.repeat(33) })],
    ['XML in the id', buildXml({ out_trade_no: '<x>' })],
    ['a slash', buildXml({ out_trade_no: 'a/../b' })],
    ['an empty id', buildXml({ out_trade_no: '' })],
    ['a newline in the id', buildXml({ out_trade_no: 'A1\n' })],
    ['no id at all', buildXml({ return_code: 'SUCCESS' })],
    ['a DOCTYPE', '<!DOCTYPE xml [<!ENTITY a "A1">]><xml><out_trade_no>&a;</out_trade_no></xml>'],
    ['the id nested', '<xml><out_trade_no><x>A1</x></out_trade_no></xml>'],
    ['the id repeated', '<xml><out_trade_no>A1</out_trade_no><out_trade_no>A2</out_trade_no></xml>'],
    ['an unclosed body', '<xml><out_trade_no>A1</out_trade_no>'],
    ['__proto__', '<xml><__proto__><out_trade_no>A1</out_trade_no></__proto__></xml>'],
    [
      'invalid UTF-8',
      Buffer.concat([Buffer.from('<xml><out_trade_no>A1'), Buffer.from([0xff]), Buffer.from('</out_trade_no></xml>')]),
    ],
    ['a body over 16 KiB', buildXml({ out_trade_no: 'A1', attach: 'x'.repeat(17 * 1024) })],
    ['JSON', '{"out_trade_no":"A1"}'],
    ['undefined', undefined],
    ['null', null],
    ['an object', { out_trade_no: 'A1' }],
    ['a number', 1415757673],
    ['an array', ['<xml><out_trade_no>A1</out_trade_no></xml>']],
  ])('returns undefined for %s', (_name, body) => {
    expect(readNotificationHint(body)).toBeUndefined();
  });

  it('never throws on any body of the hostile corpus, and hints only ids a query accepts', () => {
    for (const file of readdirSync(CORPUS).filter((name) => name !== 'generate.ts')) {
      const bytes = readFileSync(join(CORPUS, file));
      for (const body of [bytes, bytes.toString('utf8')]) {
        const hint = readNotificationHint(body);
        const id = hint?.outTradeNo ?? hint?.transactionId;
        if (id !== undefined) expect(id, file).toMatch(/^[A-Za-z0-9_*|-]{1,32}$/);
      }
    }
  });

  it('never throws on arbitrary text, bytes or values', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.uint8Array({ maxLength: 200 }),
          fc.string({ maxLength: 40 }).map((id) => `<xml><out_trade_no>${id}</out_trade_no></xml>`),
          fc.anything(),
        ),
        (body) => {
          const hint = readNotificationHint(body);
          if (hint !== undefined) expect(hint.outTradeNo ?? hint.transactionId).toMatch(/^[A-Za-z0-9_*|-]{1,32}$/);
        },
      ),
      { numRuns: 2_000, seed: 11 },
    );
  });
});
