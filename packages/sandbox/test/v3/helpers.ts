import { createPayClientV3, type PayClientV3, type PayClientV3Options } from '@tradestate/protocol';
import type { Sandbox } from '../../src/index.ts';

/** A v3 client configured from the sandbox handle, as a user would: its credentials and its URL. */
export function v3Client(sandbox: Sandbox, options: Partial<PayClientV3Options> = {}): PayClientV3 {
  const credentials = sandbox.v3;
  if (credentials === undefined) throw new Error('sandbox started without v3');
  return createPayClientV3({ ...credentials, baseURL: sandbox.url, timeoutMs: 2000, ...options });
}
