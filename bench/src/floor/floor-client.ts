import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { MERCHANT } from '../fixtures.ts';
import { floorDecode } from './floor-decode.ts';

/**
 * The floor of a poll: `node:http` on a keep-alive agent (the same pool settings as tradestate's), a
 * hand-written signed request and the regex + one-MD5 decode. No validation, no typed errors, no deadline:
 * what a poll costs with nothing but the wire protocol.
 */
export function createFloorQuery(baseURL: string): (outTradeNo: string) => Promise<string | undefined> {
  const url = new URL('/pay/orderquery', baseURL);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64, scheduling: 'lifo' });
  const options: http.RequestOptions = {
    method: 'POST',
    hostname: url.hostname,
    port: url.port,
    path: url.pathname,
    agent,
    headers: { 'Content-Type': 'text/xml; charset=utf-8' },
  };
  return (outTradeNo) => {
    const nonce = randomBytes(16).toString('hex');
    const signed = `appid=${MERCHANT.appId}&mch_id=${MERCHANT.mchId}&nonce_str=${nonce}&out_trade_no=${outTradeNo}`;
    const sign = createHash('md5').update(`${signed}&key=${MERCHANT.key}`).digest('hex').toUpperCase();
    const body = `<xml><appid>${MERCHANT.appId}</appid><mch_id>${MERCHANT.mchId}</mch_id><nonce_str>${nonce}</nonce_str><out_trade_no>${outTradeNo}</out_trade_no><sign>${sign}</sign></xml>`;
    return new Promise((resolve, reject) => {
      const req = http.request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve(floorDecode(Buffer.concat(chunks).toString('utf8'), MERCHANT.key, 'MD5')?.['trade_state']),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  };
}
