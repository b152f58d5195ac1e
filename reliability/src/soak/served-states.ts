import { XMLParser } from 'fast-xml-parser';
import { independentSign } from '../fuzz/oracle.ts';

const parser = new XMLParser({ parseTagValue: false, trimValues: false, processEntities: true, htmlEntities: true });

/**
 * What the sandbox served, as an outsider reads it: every orderquery answer body is parsed with fast-xml-parser
 * and its sign recomputed with the independent signer; only answers whose sign verifies count. A watch that
 * ends in a state absent from its order's set ended on something never validly served (a false terminal).
 */
export class ServedStates {
  private readonly byOrder = new Map<string, Set<string>>();
  /** Answer bodies seen, and those whose sign verified. */
  bodies = 0;
  verified = 0;

  constructor(private readonly key: string) {}

  /**
   * Records one raw body (anything: HTML, truncated XML, garbage). Never throws. A payment notification
   * carries no `trade_state`: a validly signed one with `result_code` SUCCESS says SUCCESS.
   */
  record(body: unknown): void {
    if (typeof body !== 'string') return;
    this.bodies++;
    let fields: Record<string, string>;
    try {
      const root = (parser.parse(body) as Record<string, unknown>)['xml'];
      if (typeof root !== 'object' || root === null) return;
      fields = {};
      for (const [name, value] of Object.entries(root)) {
        if (typeof value !== 'string') return;
        if (name !== '#text') fields[name] = value;
      }
    } catch {
      return;
    }
    const { sign, out_trade_no: outTradeNo } = fields;
    const state = fields['trade_state'] ?? (fields['transaction_id'] === undefined ? undefined : 'SUCCESS');
    // Answers carry no sign_type: an answer is genuine if either algorithm reproduces its sign.
    const genuine =
      sign !== undefined &&
      (sign === independentSign(fields, this.key, 'MD5') || sign === independentSign(fields, this.key, 'HMAC-SHA256'));
    if (!genuine) return;
    this.verified++;
    if (fields['result_code'] !== 'SUCCESS' || state === undefined || outTradeNo === undefined) return;
    let states = this.byOrder.get(outTradeNo);
    if (states === undefined) {
      states = new Set();
      this.byOrder.set(outTradeNo, states);
    }
    states.add(state);
  }

  /** Whether `state` was ever served about `outTradeNo` under a valid sign. */
  served(outTradeNo: string, state: string): boolean {
    return this.byOrder.get(outTradeNo)?.has(state) ?? false;
  }
}
