import http from 'node:http';
import https from 'node:https';
import {
  type AxiosAdapter,
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  CanceledError,
  type InternalAxiosRequestConfig,
} from 'axios';

/**
 * Options of {@link createNodeAdapter}.
 *
 * @example
 * ```ts
 * const options: NodeAdapterOptions = { maxBytes: 64 * 1024 };
 * ```
 */
export interface NodeAdapterOptions {
  /** Refuse (and stop reading) a response body over this many bytes. */
  readonly maxBytes: number;
  /** Agents to send through; default one shared keep-alive agent per protocol. */
  readonly httpAgent?: http.Agent | undefined;
  readonly httpsAgent?: https.Agent | undefined;
}

/**
 * Code of the AxiosError the adapter rejects with when a body exceeds `maxBytes`.
 *
 * @example
 * ```ts
 * if (isAxiosError(err) && err.code === ERR_RESPONSE_TOO_LARGE) console.warn('answer too large');
 * ```
 */
export const ERR_RESPONSE_TOO_LARGE = 'ERR_RESPONSE_TOO_LARGE';

let sharedHttpAgent: http.Agent | undefined;
let sharedHttpsAgent: https.Agent | undefined;

/**
 * The keep-alive agents every client shares by default: one TCP/TLS connection pool per process, so each poll
 * reuses a warm connection instead of paying a handshake. Idle sockets are unref'd by Node and do not keep the
 * process alive.
 *
 * @example
 * ```ts
 * const { http, https } = sharedAgents();
 * https.maxSockets; // 64
 * ```
 */
export function sharedAgents(): { readonly http: http.Agent; readonly https: https.Agent } {
  sharedHttpAgent ??= new http.Agent({ keepAlive: true, maxSockets: 64, scheduling: 'lifo' });
  sharedHttpsAgent ??= new https.Agent({ keepAlive: true, maxSockets: 64, scheduling: 'lifo' });
  return { http: sharedHttpAgent, https: sharedHttpsAgent };
}

interface Target {
  readonly secure: boolean;
  readonly hostname: string;
  readonly port: string;
  readonly path: string;
}

const ABSOLUTE_URL = /^[a-z][a-z\d+\-.]*:\/\//i;
const targets = new Map<string, Target>();
const MAX_CACHED_TARGETS = 64;

function fullUrl(config: InternalAxiosRequestConfig): string {
  const url = config.url ?? '';
  const base = config.baseURL;
  // Same rule as axios's buildFullPath: with allowAbsoluteUrls false an absolute url is still joined to baseURL.
  if (base && (config.allowAbsoluteUrls === false || !ABSOLUTE_URL.test(url))) {
    return url ? `${base.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}` : base;
  }
  return url;
}

/** Parsing a URL costs more than the rest of the request set-up; a client only ever asks a handful. */
function target(url: string, config: InternalAxiosRequestConfig): Target {
  const cached = targets.get(url);
  if (cached !== undefined) return cached;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AxiosError('invalid request URL', AxiosError.ERR_INVALID_URL, config);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AxiosError(`unsupported protocol ${parsed.protocol}`, AxiosError.ERR_BAD_REQUEST, config);
  }
  const result: Target = {
    secure: parsed.protocol === 'https:',
    hostname: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port,
    path: `${parsed.pathname}${parsed.search}`,
  };
  if (targets.size >= MAX_CACHED_TARGETS) targets.clear();
  targets.set(url, result);
  return result;
}

function outgoingHeaders(config: InternalAxiosRequestConfig, length: number): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  const source = config.headers as AxiosHeaders | undefined;
  if (source !== undefined) {
    // AxiosHeaders keeps each header as an own property; reading them directly skips the iterator's
    // `Object.entries(toJSON())` copies. Same values: null/undefined/false are unset headers.
    for (const name of Object.keys(source)) {
      const value: unknown = (source as unknown as Record<string, unknown>)[name];
      if (value !== undefined && value !== null && value !== false) headers[name] = String(value);
    }
  }
  headers['Content-Length'] = length;
  return headers;
}

function requestBody(data: unknown, config: InternalAxiosRequestConfig): Buffer | string {
  if (data === undefined || data === null) return '';
  if (typeof data === 'string' || Buffer.isBuffer(data)) return data;
  throw new AxiosError('the tradestate adapter sends string or Buffer bodies only', AxiosError.ERR_BAD_REQUEST, config);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A minimal axios adapter over `node:http`/`node:https`: one request, no redirects, no proxies, no
 * decompression, a response size cap enforced while reading, a total deadline, and cancellation through
 * `config.signal` (destroying the socket). It is still axios — config merging, interceptors, `validateStatus`
 * and `AxiosError`s work as usual — at about half the client CPU of axios's default Node adapter.
 *
 * `config.timeout` (ms, 0 = none) is a **total** deadline, as in axios's browser adapters: from the moment the
 * adapter sends until the last byte is read, connect and a slowly dribbled body included (axios's own Node
 * adapter treats it as a socket idle timeout). Passing it is the cheap way to bound a request: one timer, no
 * `AbortController`. Reaching it rejects with code `ETIMEDOUT`, as does a `signal` aborted with a
 * `TimeoutError` reason; any other abort rejects with a `CanceledError`. A body over `maxBytes` rejects with
 * code {@link ERR_RESPONSE_TOO_LARGE}. Bodies are read as UTF-8 strings (`responseType: 'text'`, the default
 * here) or Buffers (`'arraybuffer'`).
 *
 * @example
 * ```ts
 * const instance = axios.create({ baseURL: 'http://127.0.0.1:8080', adapter: createNodeAdapter({ maxBytes: 65536 }) });
 * const { data } = await instance.post('/pay/orderquery', xml, { timeout: 10_000 });
 * ```
 */
export function createNodeAdapter(options: NodeAdapterOptions): AxiosAdapter {
  const { maxBytes } = options;
  return (config) =>
    new Promise<AxiosResponse>((resolve, reject) => {
      const signal = config.signal as AbortSignal | undefined;
      const body = requestBody(config.data, config);
      const where = target(fullUrl(config), config);
      const agents = sharedAgents();
      const transport = where.secure ? https : http;
      const agent = where.secure ? (options.httpsAgent ?? agents.https) : (options.httpAgent ?? agents.http);
      let settled = false;
      let deadline: NodeJS.Timeout | undefined;

      const req = transport.request({
        method: (config.method ?? 'post').toUpperCase(),
        hostname: where.hostname,
        port: where.port,
        path: where.path,
        headers: outgoingHeaders(config, Buffer.byteLength(body)),
        agent,
      });

      const finish = (): void => {
        settled = true;
        if (deadline !== undefined) clearTimeout(deadline);
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: AxiosError): void => {
        if (settled) return;
        finish();
        req.destroy();
        reject(error);
      };
      const onAbort = (): void => {
        const reason: unknown = signal?.reason;
        if (reason instanceof Error && reason.name === 'TimeoutError') {
          fail(new AxiosError('request deadline exceeded', AxiosError.ETIMEDOUT, config, req));
        } else {
          fail(new CanceledError(undefined, config, req));
        }
      };
      if (signal !== undefined) {
        if (signal.aborted) {
          onAbort();
          return;
        }
        signal.addEventListener('abort', onAbort, { once: true });
      }
      const timeoutMs = config.timeout ?? 0;
      if (timeoutMs > 0) {
        deadline = setTimeout(
          () => fail(new AxiosError('request deadline exceeded', AxiosError.ETIMEDOUT, config, req)),
          timeoutMs,
        );
      }

      req.on('error', (err: NodeJS.ErrnoException) => {
        fail(new AxiosError(err.message, err.code ?? AxiosError.ERR_NETWORK, config, req));
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const declared = Number(res.headers['content-length']);
        if (declared > maxBytes) {
          fail(new AxiosError(`response over ${maxBytes} bytes`, ERR_RESPONSE_TOO_LARGE, config, req));
          return;
        }
        const chunks: Buffer[] = [];
        let length = 0;
        res.on('data', (chunk: Buffer) => {
          length += chunk.length;
          if (length > maxBytes) {
            fail(new AxiosError(`response over ${maxBytes} bytes`, ERR_RESPONSE_TOO_LARGE, config, req));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err: NodeJS.ErrnoException) => {
          fail(new AxiosError(err.message, err.code ?? AxiosError.ERR_NETWORK, config, req));
        });
        res.on('close', () => {
          if (!res.complete)
            fail(new AxiosError('connection closed before the response ended', 'ECONNRESET', config, req));
        });
        res.on('end', () => {
          if (settled) return;
          const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length);
          let data: string | Buffer;
          if (config.responseType === 'arraybuffer') data = raw;
          else {
            try {
              data = utf8.decode(raw);
            } catch {
              fail(new AxiosError('response body is not valid UTF-8', AxiosError.ERR_BAD_RESPONSE, config, req));
              return;
            }
          }
          finish();
          const response: AxiosResponse = {
            data,
            status,
            statusText: res.statusMessage ?? '',
            // Already AxiosHeaders: axios converts a plain header object twice per response (in transformData
            // and after it), but takes an AxiosHeaders as it is.
            headers: AxiosHeaders.from(res.headers as Record<string, string>),
            config,
            request: req,
          };
          const validate = config.validateStatus;
          if (validate === undefined || validate === null || validate(status)) resolve(response);
          else reject(new AxiosError(`HTTP ${status}`, AxiosError.ERR_BAD_RESPONSE, config, req, response));
        });
      });
      req.end(body);
    });
}
