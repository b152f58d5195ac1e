import { createHash, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';

/** The generated key material of one sandbox process: merchant and platform RSA-2048 pairs and an APIv3 key. */
export interface GeneratedV3Keys {
  readonly merchantPrivateKey: string;
  readonly merchantPublicKey: string;
  readonly merchantSerialNo: string;
  readonly platformPrivateKey: KeyObject;
  readonly platformPublicKey: string;
  readonly platformPublicKeyId: string;
  readonly apiV3Key: string;
}

let generated: GeneratedV3Keys | undefined;

function rsaPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/**
 * The sandbox's APIv3 keys, generated at the first start in this process and kept for the next ones (an RSA-2048
 * pair costs ~100 ms; tests start many sandboxes). Never logged.
 */
export function sandboxV3Keys(): GeneratedV3Keys {
  if (generated !== undefined) return generated;
  const merchant = rsaPair();
  const platform = rsaPair();
  const merchantPublicKey = merchant.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const platformPublicKey = platform.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  // A serial looks like a certificate's (40 hex digits) and is derived from the key, so it names this key only.
  const merchantSerialNo = createHash('sha1').update(merchantPublicKey).digest('hex').toUpperCase();
  const platformPublicKeyId = `PUB_KEY_ID_01${createHash('sha1').update(platformPublicKey).digest('hex').slice(0, 26).toUpperCase()}`;
  generated = {
    merchantPrivateKey: merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    merchantPublicKey,
    merchantSerialNo,
    platformPrivateKey: platform.privateKey,
    platformPublicKey,
    platformPublicKeyId,
    apiV3Key: randomBytes(16).toString('hex'),
  };
  return generated;
}
