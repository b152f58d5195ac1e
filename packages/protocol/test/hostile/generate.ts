// Writes the hostile-input corpus beside this file, with `manifest.json` saying what each body must be refused
// with. Deterministic (no randomness, fixed nonces), so re-running it reproduces the committed files byte for byte:
//   pnpm --filter @tradestate/reliability exec tsx ../packages/protocol/test/hostile/generate.ts
// Bodies too large to commit (5 MB, 10,000-deep nesting) are built by hostile.test.ts itself.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildXml, sign } from '../../src/codec.ts';
import { type SignType } from '../../src/index.ts';

/** The public key of WeChat Pay's v2 signing documentation (the shared vectors use it too). */
const KEY = '192006250b4c09247ec02edce69f6a2d';
const OTHER_KEY = '0123456789abcdef0123456789abcdef';
const here = dirname(fileURLToPath(import.meta.url));

type Decoder = 'orderquery' | 'notification';
interface Expectation {
  readonly why: string;
  readonly error: 'MalformedResponseError' | 'SignatureError' | 'MismatchError' | 'TransportError' | 'NotificationError';
  readonly code: string;
  /** Which decoders get the body; default both. */
  readonly decoders?: readonly Decoder[];
  /** The algorithm the request used (default MD5). */
  readonly signType?: SignType;
  /** The order, merchant and amount the request named (orderquery) or the notify route expects (notification). */
  readonly expect?: { readonly mchId?: string; readonly outTradeNo?: string; readonly totalFee?: number };
}

const manifest: Record<string, Expectation> = {};

function add(file: string, body: string | Buffer, expectation: Expectation): void {
  writeFileSync(join(here, file), body);
  manifest[file] = expectation;
}

const PAID: Readonly<Record<string, string>> = {
  return_code: 'SUCCESS',
  return_msg: 'OK',
  appid: 'wxd930ea5d5a258f4f',
  mch_id: '10000100',
  nonce_str: 'hostileCorpus001',
  result_code: 'SUCCESS',
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  trade_type: 'NATIVE',
  bank_type: 'CMC',
  total_fee: '1',
  fee_type: 'CNY',
  cash_fee: '1',
  transaction_id: '4200000000202611270000000001',
  out_trade_no: 'A1',
  time_end: '20261127071200',
  trade_state: 'SUCCESS',
  trade_state_desc: '支付成功',
};

function signed(fields: Readonly<Record<string, string>>, key = KEY, signType: SignType = 'MD5'): string {
  return buildXml({ ...fields, sign: sign(fields, key, signType) });
}

const xmlDoctype = (decl: string): Expectation => ({
  why: decl,
  error: 'MalformedResponseError',
  code: 'XML_DOCTYPE',
});
const malformedXml = (why: string): Expectation => ({ why, error: 'MalformedResponseError', code: 'MALFORMED_XML' });
const malformedAnswer = (why: string, decoders?: readonly Decoder[]): Expectation => ({
  why,
  error: 'MalformedResponseError',
  code: 'MALFORMED_RESPONSE',
  ...(decoders === undefined ? {} : { decoders }),
});
const notXml = (why: string): Expectation => ({ why, error: 'TransportError', code: 'NOT_XML' });
const badSign = (why: string, extra: Partial<Expectation> = {}): Expectation => ({
  why,
  error: 'SignatureError',
  code: 'SIGNATURE_INVALID',
  ...extra,
});
const paid = signed(PAID);

// --- DOCTYPE and entities, every kind: refused before any parsing ----------------------------------------------
add(
  'doctype-external-entity-file.xml',
  '<?xml version="1.0"?>\n<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<xml><return_code>&xxe;</return_code></xml>\n',
  xmlDoctype('external general entity (file://): XXE file read'),
);
add(
  'doctype-external-entity-http.xml',
  '<!DOCTYPE xml [<!ENTITY ssrf SYSTEM "http://127.0.0.1:1/internal">]><xml><return_code>&ssrf;</return_code></xml>',
  xmlDoctype('external general entity (http://): SSRF'),
);
add(
  'doctype-public-id.xml',
  '<!DOCTYPE xml PUBLIC "-//EVIL//DTD X//EN" "http://127.0.0.1:1/x.dtd"><xml><return_code>SUCCESS</return_code></xml>',
  xmlDoctype('external DTD by public id'),
);
add(
  'doctype-internal-entity.xml',
  `<!DOCTYPE xml [<!ENTITY s "SUCCESS">]><xml><return_code>&s;</return_code><result_code>&s;</result_code><trade_state>&s;</trade_state></xml>`,
  xmlDoctype('internal general entity that would spell SUCCESS'),
);
add(
  'doctype-parameter-entity.xml',
  '<!DOCTYPE xml [<!ENTITY % p SYSTEM "http://127.0.0.1:1/p.dtd"> %p;]><xml><a>1</a></xml>',
  xmlDoctype('parameter entity'),
);
add(
  'doctype-out-of-band-exfiltration.xml',
  '<!DOCTYPE xml [<!ENTITY % file SYSTEM "file:///etc/hostname"><!ENTITY % dtd SYSTEM "http://127.0.0.1:1/oob.dtd">%dtd;%send;]><xml><a>1</a></xml>',
  xmlDoctype('out-of-band exfiltration through nested parameter entities'),
);
const laughs = Array.from(
  { length: 10 },
  (_, i) => `<!ENTITY lol${i} "${i === 0 ? 'lol' : `&lol${i - 1};`.repeat(10)}">`,
).join('');
add(
  'billion-laughs.xml',
  `<?xml version="1.0"?><!DOCTYPE lolz [${laughs}]><xml><return_code>&lol9;</return_code></xml>`,
  xmlDoctype('billion laughs: 10^9 expansions from < 1 KB'),
);
add(
  'quadratic-blowup.xml',
  `<!DOCTYPE xml [<!ENTITY a "${'a'.repeat(8_000)}">]><xml><return_code>${'&a;'.repeat(5_000)}</return_code></xml>`,
  xmlDoctype('quadratic blow-up: one 8 KB entity referenced 5,000 times (40 MB expanded)'),
);
add(
  'entity-without-doctype.xml',
  '<xml><!ENTITY s "SUCCESS"><return_code>&s;</return_code></xml>',
  xmlDoctype('ENTITY declaration without a DOCTYPE'),
);
add('doctype-lowercase.xml', '<!doctype xml><xml><return_code>SUCCESS</return_code></xml>', xmlDoctype('lower case'));
add(
  'doctype-after-comment.xml',
  '<?xml version="1.0"?><!-- innocent --><!DOCTYPE xml [<!ENTITY s "SUCCESS">]><xml><a>&s;</a></xml>',
  xmlDoctype('DOCTYPE after a comment'),
);
add(
  'doctype-after-bom.xml',
  Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<!DOCTYPE xml [<!ENTITY s "x">]><xml><a>&s;</a></xml>')]),
  xmlDoctype('DOCTYPE after a UTF-8 BOM'),
);
add(
  'doctype-spaced.xml',
  '<! DOCTYPE xml [<! ENTITY s "SUCCESS">]><xml><a>&s;</a></xml>',
  xmlDoctype('space between <! and DOCTYPE'),
);
add(
  'undefined-entity.xml',
  '<xml><return_code>&xxe;</return_code></xml>',
  malformedXml('an entity reference no DTD defines'),
);
add('html-entity.xml', '<xml><return_code>SUCCESS&nbsp;</return_code></xml>', malformedXml('an HTML named entity'));
add('nul-character-reference.xml', '<xml><return_code>&#0;</return_code></xml>', malformedXml('&#0; is no XML char'));
add(
  'xinclude.xml',
  '<xml xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd" parse="text"/></xml>',
  malformedXml('XInclude (namespace attribute and a prefixed name)'),
);

// --- structure ----------------------------------------------------------------------------------------------------
add(
  'nesting-2000-deep.xml',
  `<xml>${'<a>'.repeat(2_000)}SUCCESS${'</a>'.repeat(2_000)}</xml>`,
  malformedXml('2,000 levels of nesting, under the size cap'),
);
add(
  'unclosed-nesting-5000.xml',
  `<xml>${'<a>'.repeat(5_000)}`,
  malformedXml('5,000 unclosed tags: the refusal must not quote the whole open-tag stack'),
);
add(
  'long-field-name.xml',
  `<xml><${'n'.repeat(30_000)}>1</${'n'.repeat(30_000)}><${'n'.repeat(30_000)}/></xml>`.slice(0, 64_000),
  malformedXml('a 30,000-character field name: the refusal must not quote it'),
);
add(
  'repeated-long-field-name.xml',
  `<xml><${'r'.repeat(20_000)}>1</${'r'.repeat(20_000)}><${'r'.repeat(20_000)}/></xml>`,
  malformedXml('a 20,000-character field name, repeated'),
);
add(
  'nesting-one-level.xml',
  '<xml><return_code>SUCCESS</return_code><trade_state><value>SUCCESS</value></trade_state></xml>',
  malformedXml('one level of nesting'),
);
add(
  'duplicate-trade-state.xml',
  paid.replace('</xml>', '<trade_state>NOTPAY</trade_state></xml>'),
  malformedXml('a repeated trade_state after a valid sign: which one would a parser keep?'),
);
add(
  'duplicate-sign.xml',
  paid.replace('<xml>', `<xml><sign>${'0'.repeat(32)}</sign>`),
  malformedXml('two signs'),
);
add('proto-field.xml', '<xml><__proto__><trade_state>SUCCESS</trade_state></__proto__></xml>', malformedXml('__proto__'));
add(
  'proto-leaf.xml',
  paid.replace('</xml>', '<__proto__>SUCCESS</__proto__></xml>'),
  malformedXml('__proto__ as a leaf next to a valid answer'),
);
add('constructor-field.xml', '<xml><constructor>x</constructor></xml>', malformedXml('constructor'));
add('prototype-field.xml', '<xml><prototype>x</prototype></xml>', malformedXml('prototype'));
add('proto-attribute.xml', '<xml><a __proto__="polluted">1</a></xml>', malformedXml('__proto__ as an attribute'));
add(
  'mismatched-tags.xml',
  '<xml><return_code>SUCCESS</result_code><result_code>SUCCESS</return_code></xml>',
  malformedXml('mismatched closing tags'),
);
add(
  'unclosed-root.xml',
  '<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code>',
  malformedXml('no </xml>'),
);
add('unclosed-field.xml', '<xml><return_code>SUCCESS</xml>', malformedXml('a field never closed'));
add('trailing-garbage.xml', `${paid}garbage`, malformedXml('text after a valid signed answer'));
add(
  'trailing-second-root.xml',
  `${paid}<xml><trade_state>REFUND</trade_state></xml>`,
  malformedXml('a second root after a valid signed answer'),
);
add('root-not-xml.xml', paid.replace(/^<xml>/, '<root>').replace(/<\/xml>$/, '</root>'), malformedXml('root <root>'));
add(
  'root-uppercase.xml',
  paid.replace(/^<xml>/, '<XML>').replace(/<\/xml>$/, '</XML>'),
  malformedXml('root <XML>: names are case-sensitive'),
);
add('cdata-in-root.xml', '<xml><![CDATA[<trade_state>SUCCESS</trade_state>]]></xml>', malformedXml('CDATA in root'));
add('attribute-on-field.xml', '<xml><trade_state state="SUCCESS">NOTPAY</trade_state></xml>', malformedXml('attribute'));
add('truncated-signed-answer.xml', paid.slice(0, Math.floor(paid.length / 2)), malformedXml('a signed answer cut halfway'));
add(
  'namespaced-field.xml',
  '<xml xmlns:w="urn:x"><w:trade_state>SUCCESS</w:trade_state></xml>',
  malformedXml('namespace prefix'),
);
add(
  'xml-declaration-garbled.xml',
  `<?xml version="1.0" encodingTF-8"?>${paid}`,
  malformedXml('an XML declaration with an unbalanced quote'),
);
add(
  'xml-declaration-gbk.xml',
  `<?xml version="1.0" encoding="GBK"?>${paid}`,
  malformedXml('a declaration of GBK: the body would be read as UTF-8 regardless'),
);
add(
  'xml-declaration-not-first.xml',
  ` \n<?xml version="1.0"?>${paid}`,
  malformedXml('an XML declaration after whitespace'),
);

// --- bytes and encodings --------------------------------------------------------------------------------------------
const bom = Buffer.from([0xef, 0xbb, 0xbf]);
add('bom-twice.bin', Buffer.concat([bom, bom, Buffer.from(paid)]), malformedXml('two UTF-8 BOMs'));
add(
  'utf16le-with-bom.bin',
  Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(paid, 'utf16le')]),
  malformedXml('UTF-16LE with its BOM: WeChat speaks UTF-8 only'),
);
add(
  'utf16be-with-bom.bin',
  Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(paid, 'utf16le').swap16()]),
  malformedXml('UTF-16BE with its BOM'),
);
// The body of `pnpm fuzz --seed 474354941` (issue 12): fast-xml-parser reads a root holding only whitespace as text.
add(
  'root-whitespace-only-after-bom.bin',
  Buffer.concat([bom, Buffer.from('<xml>\r\n\t</xml>')]),
  malformedXml('a root with no field, only whitespace, after a BOM: the one body the scanner read and fast-xml-parser did not'),
);
add('utf16le-without-bom.bin', Buffer.from(paid, 'utf16le'), malformedXml('UTF-16LE without a BOM (NUL every other byte)'));
const withBytes = (before: string, bytes: readonly number[], after: string): Buffer =>
  Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
add(
  'invalid-utf8-byte.bin',
  withBytes('<xml><return_code>SUCCESS</return_code><attach>', [0xff, 0xfe], '</attach></xml>'),
  malformedXml('bytes 0xFF 0xFE never occur in UTF-8'),
);
add(
  'overlong-utf8-lt.bin',
  withBytes('<xml><attach>', [0xc0, 0xbc], 'trade_state>SUCCESS</attach></xml>'),
  malformedXml('an overlong encoding of <'),
);
add(
  'utf8-encoded-surrogate.bin',
  withBytes('<xml><attach>', [0xed, 0xa0, 0x80], '</attach></xml>'),
  malformedXml('CESU-style encoded surrogate'),
);
add(
  'gbk-bytes.bin',
  withBytes('<?xml version="1.0" encoding="GBK"?><xml><attach>', [0xd6, 0xa7, 0xb8, 0xb6], '</attach></xml>'),
  malformedXml('GBK bytes for 支付'),
);
// A NUL or a C0 control character is not an XML character, even when the sign is valid over it: a C string
// consumer (a log shipper, a database driver) would truncate or mangle the value we believed.
add(
  'nul-byte-in-signed-value.bin',
  Buffer.from(signed({ ...PAID, trade_state_desc: 'ok\u0000NOTPAY' })),
  malformedXml('a raw NUL byte inside a value, validly signed'),
);
add(
  'nul-byte-between-fields.bin',
  Buffer.from(paid.replace('</return_code>', '</return_code>\u0000')),
  malformedXml('a raw NUL byte between fields'),
);
add(
  'control-char-in-signed-value.bin',
  Buffer.from(signed({ ...PAID, attach: 'a\u0001\u001bb' })),
  malformedXml('C0 control characters (SOH, ESC) inside a value, validly signed'),
);
add(
  'nonchar-fffe-in-signed-value.bin',
  Buffer.from(signed({ ...PAID, attach: 'a\uFFFEb' })),
  malformedXml('U+FFFE (no XML char) inside a value, validly signed'),
);

// --- not XML at all -------------------------------------------------------------------------------------------------
add('html-502.html', '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>nginx</body>\r\n</html>\r\n', notXml('HTML error page'));
add(
  'html-doctype.html',
  '<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8"></head><body>系统繁忙</body></html>',
  notXml('HTML5 page'),
);
add('json-object.json', '{"return_code":"SUCCESS","result_code":"SUCCESS","trade_state":"SUCCESS"}', notXml('JSON'));
add('json-array.json', '[{"trade_state":"SUCCESS"}]', notXml('JSON array'));
add('empty.xml', '', notXml('empty body'));
add('whitespace-only.xml', ' \r\n\t \n', notXml('whitespace only'));

// --- signatures and binding -----------------------------------------------------------------------------------------
add('valid-signature-other-order.xml', signed({ ...PAID, out_trade_no: 'B2' }), {
  why: 'a genuine, validly signed answer about order B2, replayed to a query about A1',
  error: 'MismatchError',
  code: 'MISMATCH',
  decoders: ['orderquery'],
  expect: { mchId: '10000100', outTradeNo: 'A1' },
});
add('valid-signature-other-merchant.xml', signed({ ...PAID, mch_id: '10000101' }), {
  why: 'a validly signed answer for another mch_id (a key shared across sub-merchants)',
  error: 'MismatchError',
  code: 'MISMATCH',
  decoders: ['orderquery'],
  expect: { mchId: '10000100', outTradeNo: 'A1' },
});
add('success-sign-removed.xml', buildXml(PAID), {
  why: 'a SUCCESS answer with its sign removed',
  error: 'SignatureError',
  code: 'SIGNATURE_MISSING',
});
add('success-sign-empty.xml', buildXml({ ...PAID, sign: '' }), {
  why: 'a SUCCESS answer with an empty sign',
  error: 'SignatureError',
  code: 'SIGNATURE_MISSING',
});
add('sign-field-renamed.xml', buildXml({ ...PAID, Sign: sign(PAID, KEY) }), {
  why: 'the sign under <Sign>: names are case-sensitive, so the answer is unsigned',
  error: 'SignatureError',
  code: 'SIGNATURE_MISSING',
});
add(
  'md5-sign-on-hmac-request.xml',
  paid,
  badSign('an MD5 sign where the request was HMAC-SHA256 (downgrade)', { signType: 'HMAC-SHA256' }),
);
add('hmac-sign-on-md5-request.xml', signed(PAID, KEY, 'HMAC-SHA256'), badSign('an HMAC-SHA256 sign on an MD5 request'));
add('sign-lowercase-hex.xml', buildXml({ ...PAID, sign: sign(PAID, KEY).toLowerCase() }), badSign('lower-case hex'));
add('sign-other-key.xml', signed(PAID, OTHER_KEY), badSign('signed with another key'));
add(
  'sign-truncated.xml',
  buildXml({ ...PAID, sign: sign(PAID, KEY).slice(0, 31) }),
  badSign('31 of 32 hex digits (an odd length Buffer.from(hex) would silently shorten)'),
);
add(
  'sign-padded.xml',
  buildXml({ ...PAID, sign: ` ${sign(PAID, KEY)} ` }),
  badSign('the right sign with spaces around it'),
);
add(
  'field-added-after-signing.xml',
  buildXml({ ...PAID, sign: sign(PAID, KEY), coupon_fee_0: '1' }),
  badSign('an unsigned field appended to a signed answer'),
);
const notpay = { ...PAID, trade_state: 'NOTPAY', trade_state_desc: '未支付' };
add(
  'trade-state-flipped.xml',
  buildXml({ ...notpay, sign: sign(notpay, KEY) }).replace('<trade_state>NOTPAY</trade_state>', '<trade_state>SUCCESS</trade_state>'),
  badSign('NOTPAY signed, then edited to SUCCESS'),
);
add(
  'field-moved-into-comment.xml',
  paid.replace('<total_fee>1</total_fee>', '<!--<total_fee>1</total_fee>--><total_fee>1000</total_fee>'),
  badSign('the signed amount hidden in a comment, another amount in its place'),
);
const notExist = {
  return_code: 'SUCCESS',
  return_msg: 'OK',
  appid: PAID['appid'] as string,
  mch_id: PAID['mch_id'] as string,
  nonce_str: 'hostileCorpus002',
  result_code: 'FAIL',
  err_code: 'ORDERNOTEXIST',
  err_code_des: 'order does not exist',
};
add(
  'ordernotexist-bad-sign.xml',
  buildXml({ ...notExist, sign: sign(notExist, OTHER_KEY) }),
  badSign('ORDERNOTEXIST with a forged sign: not-found can end a watch'),
);

// --- validly signed, still not believable -------------------------------------------------------------------------
add('amount-exponent.xml', signed({ ...PAID, total_fee: '1e3' }), malformedAnswer('total_fee 1e3'));
add('amount-unsafe.xml', signed({ ...PAID, total_fee: '9007199254740993' }), malformedAnswer('total_fee over 2^53'));
add('amount-negative.xml', signed({ ...PAID, cash_fee: '-1' }), malformedAnswer('negative cash_fee'));
add('time-end-impossible.xml', signed({ ...PAID, time_end: '20260230120000' }), malformedAnswer('30 February'));
add(
  'return-code-missing.xml',
  signed(Object.fromEntries(Object.entries(PAID).filter(([k]) => k !== 'return_code'))),
  malformedAnswer('no return_code'),
);
add(
  'return-code-padded.xml',
  signed({ ...PAID, return_code: 'SUCCESS ' }),
  malformedAnswer('return_code "SUCCESS " (trailing space)'),
);
const notAPayment = (why: string): Expectation => ({
  why,
  error: 'NotificationError',
  code: 'NOT_A_PAYMENT',
  decoders: ['notification'],
});
add(
  'notification-result-fail.xml',
  signed({ ...PAID, result_code: 'FAIL', err_code: 'SYSTEMERROR' }),
  notAPayment('a signed FAIL notification is not a payment'),
);
add(
  'success-without-trade-state.xml',
  signed(Object.fromEntries(Object.entries(PAID).filter(([k]) => k !== 'trade_state'))),
  malformedAnswer('a signed SUCCESS orderquery answer with no trade_state', ['orderquery']),
);

// --- genuine signed bodies that are not payment results, posted to the notify route --------------------------------
const { transaction_id: _id, time_end: _end, bank_type: _bank, cash_fee: _cash, ...UNPAID } = PAID;
for (const state of ['NOTPAY', 'CLOSED', 'USERPAYING', 'PAYERROR']) {
  add(
    `replayed-${state.toLowerCase()}-answer.xml`,
    signed({ ...UNPAID, trade_state: state, trade_state_desc: state }),
    notAPayment(`a genuine signed orderquery answer saying ${state}, replayed as a notification`),
  );
}
add(
  'replayed-refund-answer.xml',
  signed({ ...PAID, trade_state: 'REFUND', trade_state_desc: '转入退款' }),
  notAPayment('a genuine orderquery answer saying REFUND, with every payment field, replayed as a notification'),
);
const NOTIFIED = Object.fromEntries(Object.entries(PAID).filter(([k]) => k !== 'trade_state' && k !== 'trade_state_desc'));
add(
  'notification-empty-trade-state.xml',
  signed(NOTIFIED).replace('</xml>', '<trade_state></trade_state></xml>'),
  notAPayment('a genuine notification with an empty trade_state added (empty values are unsigned): not SUCCESS'),
);
add(
  'refund-notification.xml',
  buildXml({
    return_code: 'SUCCESS',
    appid: PAID['appid'] as string,
    mch_id: PAID['mch_id'] as string,
    nonce_str: 'hostileCorpus003',
    req_info: 'T87GAHG17TGAHG1TGHAHAHA1Y1CIOA9UGJH1GAHV871HAGAGQYQQPOOJMXNBCXBVNMNMAJAA',
  }),
  notAPayment('a refund notification (unsigned, req_info encrypted) sent to the payment notify route'),
);
add(
  'refund-answer-signed.xml',
  signed({ ...NOTIFIED, out_refund_no: 'R1', refund_id: '50000408942018111907145868882', refund_fee: '1' }),
  notAPayment('a genuine signed refund answer, carrying every payment field'),
);
const CLOSE_ANSWER = {
  return_code: 'SUCCESS',
  return_msg: 'OK',
  appid: PAID['appid'] as string,
  mch_id: PAID['mch_id'] as string,
  nonce_str: 'hostileCorpus004',
  result_code: 'SUCCESS',
};
add('closeorder-answer-signed.xml', signed(CLOSE_ANSWER), notAPayment('a genuine signed closeorder answer'));
add(
  'reverse-answer-signed.xml',
  signed({ ...CLOSE_ANSWER, recall: 'N' }),
  notAPayment('a genuine signed reverse answer'),
);
add(
  'ordernotexist-answer-signed.xml',
  signed({ ...notExist }),
  notAPayment('a genuine signed ORDERNOTEXIST answer'),
);
for (const field of ['transaction_id', 'total_fee', 'time_end']) {
  add(
    `notification-without-${field.replaceAll('_', '-')}.xml`,
    signed(Object.fromEntries(Object.entries(NOTIFIED).filter(([k]) => k !== field))),
    notAPayment(`a signed notification without ${field}`),
  );
}
add('notification-sign-type-hmac-on-md5.xml', signed({ ...NOTIFIED, sign_type: 'HMAC-SHA256' }, KEY, 'HMAC-SHA256'), {
  ...badSign('a notification declaring HMAC-SHA256 to a route configured for MD5'),
  decoders: ['notification'],
});
add('notification-other-amount.xml', signed({ ...NOTIFIED, total_fee: '1', cash_fee: '1' }), {
  why: 'a genuine notification of 1 fen for an order of 10,000 fen',
  error: 'MismatchError',
  code: 'MISMATCH',
  decoders: ['notification'],
  expect: { mchId: '10000100', outTradeNo: 'A1', totalFee: 10_000 },
});
add('notification-other-merchant.xml', signed({ ...NOTIFIED, mch_id: '10000101', total_fee: '10000' }), {
  why: 'a genuine notification of another mch_id that shares the key',
  error: 'MismatchError',
  code: 'MISMATCH',
  decoders: ['notification'],
  expect: { mchId: '10000100', outTradeNo: 'A1', totalFee: 10_000 },
});
add('notification-no-merchant.xml', signed(Object.fromEntries(Object.entries(NOTIFIED).filter(([k]) => k !== 'mch_id'))), {
  why: 'a signed payment result naming no mch_id, to a route that expects one',
  error: 'MismatchError',
  code: 'MISMATCH',
  decoders: ['notification'],
  expect: { mchId: '10000100' },
});

writeFileSync(join(here, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`${Object.keys(manifest).length} corpus files written to ${here}`);
