import type { CloudPayLike } from '@tradestate/protocol';
import { buildXml, parseXml, sign, verifySignature } from '@tradestate/protocol/codec';

/**
 * The merchant the fake cloud environment is bound to, as WeChat's cloud would be: a service provider
 * (`appid`, `mch_id`, key) acting for the sub-merchant the cloud function names.
 */
export interface FakeCloudMerchant {
  readonly appId: string;
  readonly mchId: string;
  readonly key: string;
}

/** Fields WeChat sends as numbers-in-strings that wx-server-sdk hands over as JavaScript numbers. */
const NUMERIC = /^(total_fee|settlement_total_fee|cash_fee|coupon_fee|coupon_count|coupon_fee_\d+)$/;

/** `out_trade_no` → `outTradeNo`, `coupon_fee_0` → `couponFee_0`: the SDK's camelCase. */
function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

function toSdkResult(fields: Readonly<Record<string, string>>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    result[camelCase(name)] = NUMERIC.test(name) ? Number(value) : value;
  }
  // The SDK reports its own call status in errCode/errMsg, overwriting WeChat's err_code.
  result['errCode'] = 0;
  result['errMsg'] = 'cloudPay.queryOrder:ok';
  return result;
}

/**
 * A stand-in for wx-server-sdk's `cloud` with `cloudPay.queryOrder`, backed by a real WeChat Pay endpoint (the
 * sandbox) over HTTP, to run and test the cloud function outside WeChat's cloud. Like the real cloud, it adds
 * the service provider's `appid`/`mch_id`, signs, checks WeChat's signature server-side, and returns the SDK's
 * camelCase object (`returnCode`, `totalFee` as a number, `couponFee_0`, `errCode: 0`).
 *
 * @example
 * const cloud = createFakeCloud(sandbox.url, merchant);
 * await cloud.cloudPay.queryOrder({ sub_mch_id: '1900000109', out_trade_no: 'A1', nonce_str: 'x' });
 */
export function createFakeCloud(
  baseURL: string,
  merchant: FakeCloudMerchant,
): CloudPayLike & { readonly calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    cloudPay: {
      async queryOrder(params: Readonly<Record<string, string>>): Promise<unknown> {
        calls += 1;
        const request: Record<string, string> = { appid: merchant.appId, mch_id: merchant.mchId, ...params };
        request['sign'] = sign(request, merchant.key);
        const response = await fetch(`${baseURL}/pay/orderquery`, {
          method: 'POST',
          headers: { 'content-type': 'text/xml' },
          body: buildXml(request),
        });
        if (!response.ok) throw new Error(`cloudPay.queryOrder:fail HTTP ${response.status}`);
        const fields = parseXml(await response.text());
        // The real cloud verifies WeChat's answer before handing it to the function; an unsigned answer is a
        // FAIL one (no trade state), which it passes on as is.
        if (fields['sign'] !== undefined && !verifySignature(fields, merchant.key, 'MD5')) {
          throw new Error('cloudPay.queryOrder:fail invalid signature');
        }
        return toSdkResult(fields);
      },
    },
  };
}
