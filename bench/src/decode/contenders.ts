import { createRequire } from 'node:module';
import { decodeOrderQuery } from '@tradestate/protocol';
import { type BenchSignType, FIXTURE_OUT_TRADE_NO, MERCHANT } from '../fixtures.ts';
import { floorDecode } from '../floor/floor-decode.ts';

const require = createRequire(import.meta.url);

/** One way to turn an orderquery answer into a verified trade state. Resolves the trade state it read. */
export interface DecodeContender {
  readonly name: string;
  /** Sync decoders return the state; tenpay's API is async, so it may return a promise. */
  decode(xml: string): string | undefined | Promise<string | undefined>;
}

interface PeerTransformer {
  readonly response: readonly [
    (this: object, data: string) => Record<string, string>,
    (this: object, data: Record<string, string>, headers: object, status: number) => unknown,
  ];
}
interface PeerModule {
  Transformer: new (mchid: string, secret: unknown) => PeerTransformer;
  Hash: { keyObjectFrom(thing: Buffer): unknown };
}
interface TenpayPayment {
  _parse(xml: string, type: string, signType: string): Promise<Record<string, string>>;
}
type TenpayModule = new (config: { appid: string; mchid: string; partnerKey: string }) => TenpayPayment;

/** `decodeOrderQuery`: parse (validator + flat scanner), verify, bind to the request, normalise. */
export function tradestateDecoder(signType: BenchSignType): DecodeContender {
  const expect = { appId: MERCHANT.appId, mchId: MERCHANT.mchId, outTradeNo: FIXTURE_OUT_TRADE_NO };
  return {
    name: 'tradestate',
    decode: (xml) => {
      const outcome = decodeOrderQuery(xml, { key: MERCHANT.key, signType, expect });
      return outcome.kind === 'order' && typeof outcome.tradeState === 'string' ? outcome.tradeState : undefined;
    },
  };
}

/**
 * wechatpay-axios-plugin exactly as its v2 client runs it: the transformer's `response` pair (`parse` with
 * fast-xml-parser, then `verifier`) called with the request config as `this`, the key held as a KeyObject as
 * `Decorator.xmlBased` stores it.
 */
export function wechatpayAxiosPluginDecoder(_signType: BenchSignType): DecodeContender {
  const peer = require('wechatpay-axios-plugin') as PeerModule;
  const transformer = new peer.Transformer(MERCHANT.mchId, peer.Hash.keyObjectFrom(Buffer.from(MERCHANT.key)));
  const [parse, verify] = transformer.response;
  const config = { url: '/pay/orderquery' };
  const headers = {};
  return {
    name: 'wechatpay-axios-plugin',
    decode: (xml) => {
      const result = verify.call(config, parse.call(config, xml), headers, 200) as Record<string, string>;
      // The verifier returns a BusinessError instead of the data when the sign does not match.
      return result instanceof Error ? undefined : result['trade_state'];
    },
  };
}

/** tenpay's `_parse`, which its `orderQuery` runs on the answer body (xml2js, then sign and ids checked). */
export function tenpayDecoder(signType: BenchSignType): DecodeContender {
  const Payment = require('tenpay') as TenpayModule;
  const payment = new Payment({ appid: MERCHANT.appId, mchid: MERCHANT.mchId, partnerKey: MERCHANT.key });
  return {
    name: 'tenpay',
    decode: async (xml) => (await payment._parse(xml, 'orderquery', signType))['trade_state'],
  };
}

/** The floor: one regular-expression scan and one digest, no validation. */
export function floorDecoder(signType: BenchSignType): DecodeContender {
  return {
    name: 'floor (regex + 1 digest)',
    decode: (xml) => floorDecode(xml, MERCHANT.key, signType)?.['trade_state'],
  };
}

/** Every contender of the decode benchmark, tradestate first. */
export function decodeContenders(signType: BenchSignType): DecodeContender[] {
  return [
    tradestateDecoder(signType),
    wechatpayAxiosPluginDecoder(signType),
    tenpayDecoder(signType),
    floorDecoder(signType),
  ];
}
