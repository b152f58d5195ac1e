import { InvalidArgumentError, TransportError } from './errors.ts';

function firstSignificant(body: string | Uint8Array): string {
  if (typeof body === 'string') {
    const at = body.search(/[^\s\uFEFF]/);
    return at < 0 ? '' : body.slice(at, at + 16);
  }
  let at = 0;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) at = 3;
  while (at < body.length && (body[at] === 0x20 || body[at] === 0x09 || body[at] === 0x0a || body[at] === 0x0d)) at++;
  return Buffer.from(body.buffer, body.byteOffset + at, Math.min(16, body.length - at)).toString('latin1');
}

const HTML = /^<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])/i;

/**
 * Throws {@link TransportError} `NOT_XML` for a body that is plainly not WeChat's XML: empty, an HTML page (a
 * proxy or gateway error page) or JSON. Runs before the XML parser so that an HTML `<!DOCTYPE html>` is reported
 * as what it is rather than as a refused DOCTYPE. A value that is neither a string nor bytes (`undefined`, a
 * number, the object a JSON or urlencoded body parser made of the request) is the caller's mistake, not WeChat's:
 * {@link InvalidArgumentError}.
 *
 * @example
 * ```ts
 * rejectNonXml('<html><body>502 Bad Gateway</body></html>'); // throws TransportError NOT_XML
 * ```
 */
export function rejectNonXml(body: unknown): asserts body is string | Uint8Array {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new InvalidArgumentError(
      `body must be the raw request or answer body, a string or a Buffer (got ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}): a notify route needs a raw or text body parser, not a JSON one`,
    );
  }
  const head = firstSignificant(body);
  if (head === '') throw new TransportError('NOT_XML', 'answer body is empty');
  const first = head.charCodeAt(0);
  if (first === 0x7b || first === 0x5b) throw new TransportError('NOT_XML', 'answer is JSON, not XML');
  if (first === 0x3c && HTML.test(head)) throw new TransportError('NOT_XML', 'answer is an HTML page, not XML');
}
