// `@tradestate/protocol/codec`: WeChat Pay v2's signing and XML, for those who build or read requests themselves
// (a simulator, a proxy, a test). The clients and decoders of the root entry already use them.
export { type SignableParams, sign, signingString, verifySignature } from './sign.ts';
export { buildXml, DEFAULT_MAX_XML_BYTES, type ParseXmlOptions, parseXml } from './xml.ts';
