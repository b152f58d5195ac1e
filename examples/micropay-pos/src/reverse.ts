import { type PayClient, type ReverseOrderOutcome, TradestateError } from '@tradestate/protocol';

/**
 * Options of {@link reverse}.
 *
 * @example
 * const options: ReverseOptions = { attempts: 3, delayMs: 1000 };
 */
export interface ReverseOptions {
  /** Reverse calls at most. Default 3. */
  readonly attempts?: number | undefined;
  /** Pause between calls. Default 1 s. */
  readonly delayMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * What {@link reverse} achieved: `reversed` only when WeChat confirmed with a verified answer; `last` is the last
 * outcome, or the retryable error (timeout, bad signature…) the last call threw.
 *
 * @example
 * const { reversed, calls, last } = await reverse(client, 'POS1');
 */
export interface ReverseResult {
  readonly reversed: boolean;
  readonly calls: number;
  readonly last: ReverseOrderOutcome | TradestateError;
}

/**
 * Reverses a micropay with `client.reverseOrder` (`POST /secapi/pay/reverse`, signed, answer verified) until
 * WeChat confirms: calls again when WeChat answers `recall=Y`, refuses with a retryable code (SYSTEMERROR,
 * USERPAYING…) or the call fails in a retryable way (timeout, reset, an answer whose signature does not verify),
 * at most `attempts` calls spaced `delayMs` apart. WeChat's guidance: call again when asked to; stop after a few
 * tries and alert someone. A refusal that cannot change (TRADE_ERROR, a wrong key's RETURN_FAIL) stops at once.
 *
 * @example
 * const client = createPayClient({ appId, mchId, key, httpsAgent }); // httpsAgent: your apiclient_cert for /secapi/
 * const { reversed, calls } = await reverse(client, 'POS1', { attempts: 3, delayMs: 1000 });
 */
export async function reverse(
  client: PayClient,
  outTradeNo: string,
  options: ReverseOptions = {},
): Promise<ReverseResult> {
  const attempts = Math.max(1, options.attempts ?? 3);
  for (let call = 1; ; call += 1) {
    const last = await reverseOnce(client, outTradeNo, options.signal);
    const reversed = !(last instanceof TradestateError) && last.kind === 'reversed';
    const refused = !(last instanceof TradestateError) && last.kind === 'error' && !last.retryable;
    if (reversed || refused || call >= attempts) return { reversed, calls: call, last };
    await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 1000));
  }
}

/** One call; a failure worth another call is returned, anything else (an abort, a bad argument) is thrown. */
async function reverseOnce(
  client: PayClient,
  outTradeNo: string,
  signal: AbortSignal | undefined,
): Promise<ReverseOrderOutcome | TradestateError> {
  try {
    return await client.reverseOrder({ outTradeNo }, { signal });
  } catch (err) {
    if (err instanceof TradestateError && err.retryable) return err;
    throw err;
  }
}
