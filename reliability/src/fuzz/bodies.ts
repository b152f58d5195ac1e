import fc from 'fast-check';
import { notificationReplay, type ReplayKind } from './notification-bodies.ts';
import type { NotificationExpectation } from './notification-oracle.ts';
import { FUZZ_KEY, type FuzzSignType, independentSign } from './oracle.ts';

/**
 * One fuzzed body and what the fuzzer knows about it: the field set it signed with the key (if any, before
 * mutation) and the algorithm the decoder is told the request used.
 */
export interface FuzzBody {
  readonly origin:
    | 'mutated-text'
    | 'mutated-bytes'
    | 'random-text'
    | 'random-bytes'
    | 'xml-tokens'
    | 'notification-replay';
  readonly body: string | Uint8Array;
  readonly signed: Readonly<Record<string, string>> | undefined;
  readonly signType: FuzzSignType;
  readonly outTradeNo: string | undefined;
  readonly mutations: readonly string[];
  /**
   * For `notification-replay` bodies: the fields exactly as serialised (sign included), what the route expects
   * the notification to be about, and which kind of genuine body it started as.
   */
  readonly replay?: {
    readonly kind: ReplayKind;
    readonly fields: Readonly<Record<string, string>>;
    readonly expect: NotificationExpectation | undefined;
  };
}

const TRADE_STATES = ['SUCCESS', 'REFUND', 'NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR', 'ACCEPT'];

// XML 1.0 characters only: these are values a real WeChat answer can carry.
const xmlText = (maxLength: number) =>
  fc
    .string({ unit: 'grapheme', maxLength })
    .map((value) => value.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, ''));

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
const outTradeNo = fc.stringMatching(/^[A-Za-z0-9_\-|*]{1,32}$/);

/** A plausible orderquery answer (or notification) before signing, with the optional fields WeChat adds. */
const answerFields = fc
  .record(
    {
      state: fc.oneof(fc.constantFrom(...TRADE_STATES), fc.stringMatching(/^[A-Z_]{1,12}$/)),
      outTradeNo,
      totalFee: digits(1, 9),
      attach: xmlText(24),
      desc: xmlText(16),
      coupons: fc.array(fc.tuple(fc.nat({ max: 30 }), digits(1, 5)), { maxLength: 3 }),
      extras: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/), xmlText(12), { maxKeys: 3 }),
      empties: fc.subarray(['device_info', 'sub_appid', 'settlement_total_fee', 'coupon_count']),
      nonce: fc.stringMatching(/^[A-Za-z0-9]{16,32}$/),
      kind: fc.constantFrom('order', 'order', 'order', 'order', 'not-found', 'result-fail', 'return-fail'),
      errCode: fc.constantFrom(
        'SYSTEMERROR',
        'FREQUENCY_LIMITED',
        'BANKERROR',
        'SIGNERROR',
        'NOAUTH',
        'XML_FORMAT_ERROR',
      ),
    },
    { requiredKeys: ['state', 'outTradeNo', 'totalFee', 'nonce', 'kind', 'errCode'] },
  )
  .map((r): Record<string, string> => {
    if (r.kind === 'return-fail')
      return { return_code: 'FAIL', return_msg: r.errCode === 'SIGNERROR' ? '签名错误' : 'SYSTEMERROR' };
    if (r.kind !== 'order') {
      return {
        return_code: 'SUCCESS',
        return_msg: 'OK',
        appid: 'wxd930ea5d5a258f4f',
        mch_id: '10000100',
        nonce_str: r.nonce,
        result_code: 'FAIL',
        err_code: r.kind === 'not-found' ? 'ORDERNOTEXIST' : r.errCode,
        err_code_des: r.kind === 'not-found' ? 'order does not exist' : 'error',
      };
    }
    const fields: Record<string, string> = {
      return_code: 'SUCCESS',
      return_msg: 'OK',
      appid: 'wxd930ea5d5a258f4f',
      mch_id: '10000100',
      nonce_str: r.nonce,
      result_code: 'SUCCESS',
      openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      is_subscribe: 'N',
      trade_type: 'NATIVE',
      bank_type: 'CMC',
      total_fee: r.totalFee,
      fee_type: 'CNY',
      cash_fee: r.totalFee,
      transaction_id: '4200000000202611270000000001',
      out_trade_no: r.outTradeNo,
      time_end: '20261127071200',
      trade_state: r.state,
    };
    if (r.attach !== undefined) fields['attach'] = r.attach;
    if (r.desc !== undefined) fields['trade_state_desc'] = r.desc;
    for (const [index, fee] of r.coupons ?? []) fields[`coupon_fee_${index}`] = fee;
    for (const [name, value] of Object.entries(r.extras ?? {})) {
      if (!(name in fields) && !['__proto__', 'constructor', 'prototype', 'sign'].includes(name)) fields[name] = value;
    }
    for (const name of r.empties ?? []) fields[name] = '';
    return fields;
  });

const needsCdata = /[<&>\]\r\n\t]|^\s|\s$/;

/** Serialises fields the many legal ways WeChat (or a proxy) might: CDATA or escaped text, comments, whitespace. */
interface Style {
  readonly declaration: boolean;
  readonly bom: boolean;
  readonly indent: string;
  readonly cdataAlways: boolean;
  readonly comment: boolean;
  readonly selfClosingEmpty: boolean;
}

const serialisation: fc.Arbitrary<Style> = fc.record({
  declaration: fc.boolean(),
  bom: fc.boolean(),
  indent: fc.constantFrom('', '\n', '\n   ', '\r\n\t'),
  cdataAlways: fc.boolean(),
  comment: fc.boolean(),
  selfClosingEmpty: fc.boolean(),
});

function escapeText(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function serialise(fields: Readonly<Record<string, string>>, style: Style): string {
  let out = `${style.bom ? '\uFEFF' : ''}${style.declaration ? '<?xml version="1.0" encoding="UTF-8"?>' : ''}<xml>`;
  for (const [name, value] of Object.entries(fields)) {
    out += style.indent;
    if (value === '' && style.selfClosingEmpty) out += `<${name}/>`;
    else if (style.cdataAlways || needsCdata.test(value)) {
      out += `<${name}><![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]></${name}>`;
    } else out += `<${name}>${escapeText(value)}</${name}>`;
    if (style.comment) out += '<!-- x -->';
  }
  return `${out}${style.indent}</xml>`;
}

/** Snippets an attacker or a broken proxy would splice into an answer. */
const HOSTILE_SNIPPETS = [
  '<',
  '>',
  '&',
  '</xml>',
  '<xml>',
  ']]>',
  '<![CDATA[',
  '<!--',
  '-->',
  '<!DOCTYPE xml [<!ENTITY e "SUCCESS">]>',
  '<!ENTITY e "x">',
  '&e;',
  '&#0;',
  '&#x41;',
  '&amp;',
  '&lt;',
  '\u0000',
  '\u0001',
  '\uFEFF',
  '\uFFFE',
  '\uD800',
  '<trade_state>SUCCESS</trade_state>',
  '<sign>00000000000000000000000000000000</sign>',
  '<__proto__>x</__proto__>',
  '<constructor>1</constructor>',
  '<a b="1">',
  '<a/>',
  '</a>',
  '<?pi x?>',
  ' ',
  '\r\n',
  '<html>',
  '{"a":1}',
  '<return_code>FAIL</return_code>',
  '<result_code>FAIL</result_code><err_code>ORDERNOTEXIST</err_code>',
];

type Mutation = (text: string) => string;

const mutation: fc.Arbitrary<[string, Mutation]> = fc.oneof(
  fc
    .tuple(fc.nat(), fc.constantFrom(...HOSTILE_SNIPPETS))
    .map(([at, snippet]): [string, Mutation] => [
      `insert ${JSON.stringify(snippet)}`,
      (t) => t.slice(0, at % (t.length + 1)) + snippet + t.slice(at % (t.length + 1)),
    ]),
  fc
    .tuple(fc.nat(), fc.integer({ min: 1, max: 40 }))
    .map(([at, length]): [string, Mutation] => [
      `delete ${length}`,
      (t) => t.slice(0, at % (t.length + 1)) + t.slice((at % (t.length + 1)) + length),
    ]),
  fc
    .tuple(fc.nat(), fc.integer({ min: 0, max: 0xffff }))
    .map(([at, code]): [string, Mutation] => [
      `replace char with U+${code.toString(16)}`,
      (t) =>
        t.length === 0 ? t : t.slice(0, at % t.length) + String.fromCharCode(code) + t.slice((at % t.length) + 1),
    ]),
  fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 60 })).map(([from, to, length]): [string, Mutation] => [
    `copy ${length}`,
    (t) => {
      const start = from % (t.length + 1);
      const piece = t.slice(start, start + length);
      const at = to % (t.length + 1);
      return t.slice(0, at) + piece + t.slice(at);
    },
  ]),
  fc.nat().map((at): [string, Mutation] => ['truncate', (t) => t.slice(0, at % (t.length + 1))]),
  fc.constantFrom<[string, Mutation]>(
    [
      'sign to lower case',
      (t) => t.replace(/<sign>([^<]*)<\/sign>/, (_m, s: string) => `<sign>${s.toLowerCase()}</sign>`),
    ],
    ['remove sign', (t) => t.replace(/<sign>[^<]*<\/sign>/, '')],
    ['SUCCESS everywhere', (t) => t.replaceAll(/NOTPAY|CLOSED|REFUND|USERPAYING|PAYERROR|REVOKED/g, 'SUCCESS')],
    ['state to NOTPAY', (t) => t.replace(/<trade_state>(?:<!\[CDATA\[)?[A-Z_]*/, '<trade_state>NOTPAY')],
    [
      'uppercase tags',
      (t) => t.replaceAll(/<(\/?)([a-z_]+)/g, (_m, slash: string, n: string) => `<${slash}${n.toUpperCase()}`),
    ],
    ['swap two fields', (t) => t.replace(/(<(\w+)>[^<]*<\/\2>)(\s*)(<(\w+)>[^<]*<\/\5>)/, '$4$3$1')],
    ['duplicate last field', (t) => t.replace(/(<(\w+)>[^<]*<\/\2>)(\s*<\/xml>)/, '$1$1$3')],
  ),
);

/** A valid signed answer, mutated 1–4 times (a fifth of them left intact, so acceptance is exercised too). */
const mutatedSigned: fc.Arbitrary<FuzzBody> = fc
  .record({
    fields: answerFields,
    style: serialisation,
    signType: fc.constantFrom<FuzzSignType>('MD5', 'HMAC-SHA256'),
    decodeAs: fc.constantFrom<'same' | 'other'>('same', 'same', 'same', 'other'),
    signWith: fc.constantFrom<'key' | 'other-key'>('key', 'key', 'key', 'key', 'other-key'),
    mutations: fc.oneof(
      { weight: 1, arbitrary: fc.constant<Array<[string, Mutation]>>([]) },
      { weight: 4, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 4 }) },
    ),
    asBytes: fc.boolean(),
  })
  .map(({ fields, style, signType, decodeAs, signWith, mutations, asBytes }) => {
    const key = signWith === 'key' ? FUZZ_KEY : 'another merchant key 0123456789ab';
    const text = serialise({ ...fields, sign: independentSign(fields, key, signType) }, style);
    const mutated = mutations.reduce((t, [, apply]) => apply(t), text);
    const decodeSignType: FuzzSignType = decodeAs === 'same' ? signType : signType === 'MD5' ? 'HMAC-SHA256' : 'MD5';
    return {
      origin: 'mutated-text' as const,
      body: asBytes ? Buffer.from(mutated, 'utf8') : mutated,
      signed: signWith === 'key' ? fields : undefined,
      signType: decodeSignType,
      outTradeNo: fields['out_trade_no'],
      mutations: [
        ...(signWith === 'key' ? [] : ['signed with another key']),
        ...(decodeAs === 'same' ? [] : ['decoded with the other sign type']),
        ...mutations.map(([name]) => name),
      ],
    };
  });

/** A byte-level mutation of a valid answer: flips and splices that may break UTF-8. */
const mutatedBytes: fc.Arbitrary<FuzzBody> = fc
  .record({
    fields: answerFields,
    style: serialisation,
    flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
  })
  .map(({ fields, style, flips }) => {
    const bytes = Buffer.from(serialise({ ...fields, sign: independentSign(fields, FUZZ_KEY, 'MD5') }, style));
    for (const [at, value] of flips) bytes[at % bytes.length] = value;
    return {
      origin: 'mutated-bytes' as const,
      body: bytes,
      signed: fields,
      signType: 'MD5' as const,
      outTradeNo: fields['out_trade_no'],
      mutations: flips.map(([at, value]) => `byte ${at} = ${value}`),
    };
  });

const XML_TOKENS = [
  '<xml>',
  '</xml>',
  '<return_code>',
  '</return_code>',
  '<result_code>',
  '</result_code>',
  '<trade_state>',
  '</trade_state>',
  '<sign>',
  '</sign>',
  'SUCCESS',
  'FAIL',
  'NOTPAY',
  'ORDERNOTEXIST',
  '<err_code>',
  '</err_code>',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '&amp;',
  '&#x26;',
  '<?xml version="1.0"?>',
  '<a>',
  '</a>',
  '<b/>',
  ' ',
  '\n',
  '"',
  '=',
  'x',
  '0',
];

const randomBodies: fc.Arbitrary<FuzzBody> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }).map((body) => random('random-text', body)),
  fc.uint8Array({ maxLength: 300 }).map((body) => random('random-bytes', body)),
  fc.array(fc.constantFrom(...XML_TOKENS), { maxLength: 40 }).map((tokens) => random('xml-tokens', tokens.join(''))),
);

function random(origin: FuzzBody['origin'], body: string | Uint8Array): FuzzBody {
  return { origin, body, signed: undefined, signType: 'MD5', outTradeNo: undefined, mutations: [] };
}

/** Genuine signed bodies of every kind (see notification-bodies.ts), serialised the many legal ways. */
const replayed: fc.Arbitrary<FuzzBody> = fc
  .record({ replay: notificationReplay, style: serialisation, asBytes: fc.boolean() })
  .map(({ replay, style, asBytes }) => {
    const text = serialise(replay.fields, style);
    const { sign, ...unsigned } = replay.fields;
    // The field set a key holder signed, when the sign is the key's over these fields (or over the original).
    const signedByKey =
      sign !== undefined && sign === independentSign(unsigned, FUZZ_KEY, replay.signType) ? unsigned : undefined;
    return {
      origin: 'notification-replay' as const,
      body: asBytes ? Buffer.from(text, 'utf8') : text,
      signed: signedByKey,
      signType: replay.signType,
      outTradeNo: replay.fields['out_trade_no'],
      mutations: [replay.kind, ...replay.edits],
      replay: { kind: replay.kind, fields: replay.fields, expect: replay.expect },
    };
  });

/**
 * Every body the fuzzer feeds the decoders: mutations of valid signed answers (text and bytes), random text, bytes
 * and XML-token soups, and genuine signed bodies of every kind replayed (edited, re-signed) as notifications.
 */
export const fuzzBody: fc.Arbitrary<FuzzBody> = fc.oneof(
  { weight: 6, arbitrary: mutatedSigned },
  { weight: 2, arbitrary: mutatedBytes },
  { weight: 2, arbitrary: randomBodies },
  { weight: 4, arbitrary: replayed },
);
