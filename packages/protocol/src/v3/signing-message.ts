/**
 * The string a merchant signs for one APIv3 request: five lines, each ended by `\n`, the last one included.
 * `url` is the path and query exactly as sent (no scheme or host); `body` is empty for a GET.
 *
 * @example
 * ```ts
 * requestSigningMessage('GET', '/v3/pay/transactions/out-trade-no/A1?mchid=1900000109', 1554208460, 'n0nce', '');
 * // 'GET\n/v3/pay/transactions/out-trade-no/A1?mchid=1900000109\n1554208460\nn0nce\n\n'
 * ```
 */
export function requestSigningMessage(
  method: string,
  url: string,
  timestamp: number | string,
  nonce: string,
  body: string,
): string {
  return `${method}\n${url}\n${timestamp}\n${nonce}\n${body}\n`;
}

/**
 * The bytes WeChat signs for an answer or a notification: `timestamp\nnonce\nbody\n` over the body **as received**
 * (a 204's empty body leaves a last line of just `\n`). Built on bytes, never on a re-serialised JSON value: a parsed
 * and re-stringified body differs from the signed one (key order, spacing, escapes), the trap several SDK users fell
 * into.
 *
 * @example
 * ```ts
 * responseSigningMessage('1554208460', 'n0nce', Buffer.from('{"a":1}')).toString(); // '1554208460\nn0nce\n{"a":1}\n'
 * ```
 */
export function responseSigningMessage(timestamp: string, nonce: string, body: Uint8Array | string): Buffer {
  const head = `${timestamp}\n${nonce}\n`;
  if (typeof body === 'string') return Buffer.from(`${head}${body}\n`, 'utf8');
  const headBytes = Buffer.byteLength(head);
  const message = Buffer.allocUnsafe(headBytes + body.length + 1);
  message.write(head, 0, 'utf8');
  message.set(body, headBytes);
  message[message.length - 1] = 0x0a;
  return message;
}
