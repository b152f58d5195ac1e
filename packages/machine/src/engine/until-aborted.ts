/**
 * `promise`, or a rejection with the signal's reason as soon as it aborts, whichever comes first: a client that
 * ignores its signal cannot hold a query or a settle call past its deadline. The promise is still observed
 * afterwards, so a late rejection of such a client is not unhandled.
 *
 * @example
 * ```ts
 * const outcome = await untilAborted(client.queryOrder(query, { signal }), signal);
 * ```
 * @internal
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
