import { createRequire } from 'node:module';
import type { CloudPayLike } from '@tradestate/protocol';
import { createIsPaidHandler, type IsPaidAnswer, type IsPaidEvent } from './handler.ts';

interface WxServerSdk extends CloudPayLike {
  init(options: { env: unknown }): void;
  readonly DYNAMIC_CURRENT_ENV: unknown;
}

let handler: ((event: IsPaidEvent, context?: unknown) => Promise<IsPaidAnswer>) | undefined;

/**
 * The deployed cloud function's entry (`exports.main` once bundled). wx-server-sdk is present only in WeChat's
 * cloud runtime, so it is loaded on the first call rather than at import time; the sub-merchant comes from the
 * function's environment variable `SUB_MCH_ID`.
 *
 * @example
 * // from the Mini Program
 * const { result } = await wx.cloud.callFunction({ name: 'isOrderPaid', data: { outTradeNo: 'MP1', waitMs: 5000 } });
 */
export async function main(event: IsPaidEvent, context?: unknown): Promise<IsPaidAnswer> {
  if (handler === undefined) {
    const cloud = createRequire(import.meta.url)('wx-server-sdk') as WxServerSdk;
    cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
    const subMchId = process.env['SUB_MCH_ID'];
    if (subMchId === undefined || subMchId === '') throw new Error('set SUB_MCH_ID in the function configuration');
    handler = createIsPaidHandler(cloud, { subMchId });
  }
  return handler(event, context);
}
