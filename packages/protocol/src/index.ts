export * from './errors.ts';
export { type SignableParams, sign, signingString, verifySignature } from './sign.ts';
export * from './types.ts';
export { buildXml, DEFAULT_MAX_XML_BYTES, type ParseXmlOptions, parseXml } from './xml.ts';
