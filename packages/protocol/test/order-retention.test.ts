import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { decodeOrderQuery, type Order } from '../src/index.ts';
import { KEY, PAID_FIELDS, signedXml } from './fixtures.ts';

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

describe('a decoded Order does not keep its answer alive', () => {
  it('keeping 200 Orders of 30 KB answers holds far less than the answers', () => {
    // An extra signed field makes each answer ~30 KB; the Order keeps none of it, but a field that is a slice
    // of the answer's text (V8 keeps slices of 13+ characters as views into their parent) would hold it all.
    const padding = 'p'.repeat(30_000);
    const answers = Array.from({ length: 200 }, (_, i) =>
      signedXml({ ...PAID_FIELDS, out_trade_no: `RETAIN${i}`, padding, nonce_str: `n${i}${'x'.repeat(20)}` }),
    );
    const kept: Order[] = [];
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    for (const [i, body] of answers.entries()) {
      const outcome = decodeOrderQuery(body, { key: KEY, signType: 'MD5', expect: { outTradeNo: `RETAIN${i}` } });
      if (outcome.kind !== 'order') throw new Error('expected an order');
      kept.push(outcome.order);
    }
    answers.length = 0;
    collectGarbage();
    const grown = process.memoryUsage().heapUsed - before;
    expect(kept).toHaveLength(200);
    expect(kept[199]?.transactionId).toBe(PAID_FIELDS['transaction_id']);
    // The answers alone are 200 × 30 KB = 6 MB; the Orders a few hundred bytes each.
    expect(grown).toBeLessThan(1_500_000);
  });
});
