import { randomFillSync } from 'node:crypto';

const NONCE_BYTES = 16;
// 256 nonces per refill: one `randomFillSync` call instead of one `randomBytes` (a Buffer and a syscall) per query.
const POOL_BYTES = NONCE_BYTES * 256;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

/**
 * A fresh `nonce_str`: 16 bytes from the CSPRNG as 32 lower-case hex characters. The bytes come from a pooled
 * buffer refilled by `crypto.randomFillSync` when used up; each byte is handed out once, never reused.
 *
 * @example
 * ```ts
 * const params = { appid, mch_id, nonce_str: nextNonce() };
 * ```
 * @internal
 */
export function nextNonce(): string {
  if (offset + NONCE_BYTES > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const nonce = pool.toString('hex', offset, offset + NONCE_BYTES);
  offset += NONCE_BYTES;
  return nonce;
}
