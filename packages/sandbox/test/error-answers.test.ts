import { createPayClient } from '@tradestate/protocol';
import { buildXml, parseXml, sign, verifySignature } from '@tradestate/protocol/codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_MIN_AGE_MS, defaultMerchant, type Sandbox, startSandbox } from '../src/index.ts';
import { call, post, signedRequest } from './helpers.ts';

const provider = { appId: 'wx8888888888888888', mchId: '1900000109', key: 'P'.repeat(32) };

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({
    merchants: [defaultMerchant, { ...provider, subMerchants: [{ subMchId: '1900000110', subAppId: 'wxSUB' }] }],
  });
  sandbox.createOrder({ outTradeNo: 'E1', totalFee: 1, tradeType: 'NATIVE' });
});
afterAll(() => sandbox.close());

/** A return_code FAIL answer: unsigned, no result_code, no trade_state. */
async function expectReturnFail(path: string, body: string, message: RegExp, method = 'POST') {
  const res = await post(sandbox, path, body, method);
  expect(res.status).toBe(200);
  const fields = parseXml(res.text);
  expect(fields['return_code']).toBe('FAIL');
  expect(fields['return_msg']).toMatch(message);
  expect(fields['sign']).toBeUndefined();
  expect(fields['trade_state']).toBeUndefined();
  return fields;
}

describe('return_code FAIL answers (unsigned, as WeChat sends them)', () => {
  it('SIGNERROR for a sign made with another key', async () => {
    await expectReturnFail('/pay/orderquery', signedRequest({ out_trade_no: 'E1' }, 'x'.repeat(32)), /签名错误/);
  });

  it('SIGNERROR for an HMAC-SHA256 sign declared as MD5, and for a missing sign', async () => {
    const hmacSigned = signedRequest({ out_trade_no: 'E1', sign_type: 'MD5' }, defaultMerchant.key, 'HMAC-SHA256');
    await expectReturnFail('/pay/orderquery', hmacSigned, /签名错误/);
    const unsigned = buildXml({
      appid: defaultMerchant.appId,
      mch_id: defaultMerchant.mchId,
      nonce_str: 'n',
      out_trade_no: 'E1',
    });
    await expectReturnFail('/pay/orderquery', unsigned, /签名错误/);
  });

  it('SIGNERROR when a field is changed after signing', async () => {
    const tampered = signedRequest({ out_trade_no: 'E1' }).replace('E1', 'E2');
    await expectReturnFail('/pay/orderquery', tampered, /签名错误/);
  });

  it('an unknown sign_type is refused', async () => {
    await expectReturnFail('/pay/orderquery', signedRequest({ out_trade_no: 'E1', sign_type: 'SHA1' }), /sign_type/);
  });

  it('REQUIRE_POST_METHOD for a GET', async () => {
    await expectReturnFail('/pay/orderquery', '', /post/, 'GET');
  });

  it('POST_DATA_EMPTY for an empty body, XML_FORMAT_ERROR for bad or hostile XML', async () => {
    await expectReturnFail('/pay/orderquery', '', /为空/);
    await expectReturnFail('/pay/orderquery', '<xml><appid>wx', /XML格式错误/);
    await expectReturnFail('/pay/orderquery', '{"appid":"wx"}', /XML格式错误/);
    await expectReturnFail(
      '/pay/orderquery',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><appid>&e;</appid></xml>',
      /XML格式错误/,
    );
    await expectReturnFail('/pay/orderquery', `<xml><attach>${'a'.repeat(70_000)}</attach></xml>`, /XML格式错误/);
  });

  it('LACK_PARAMS without appid or mch_id, MCHID_NOT_EXIST, APPID_MCHID_NOT_MATCH', async () => {
    const noAppid = buildXml({ mch_id: defaultMerchant.mchId, nonce_str: 'n', out_trade_no: 'E1' });
    await expectReturnFail('/pay/orderquery', noAppid, /缺少参数/);
    await expectReturnFail('/pay/orderquery', signedRequest({ mch_id: '99999999', out_trade_no: 'E1' }), /mch_id/);
    await expectReturnFail('/pay/orderquery', signedRequest({ appid: 'wxOTHER', out_trade_no: 'E1' }), /appid和mch_id/);
  });

  it('a sub_mch_id that is not the provider’s, a mismatched sub_appid, a sub_appid alone', async () => {
    const as = (fields: Record<string, string>) =>
      signedRequest({ appid: provider.appId, mch_id: provider.mchId, out_trade_no: 'E1', ...fields }, provider.key);
    await expectReturnFail('/pay/orderquery', as({ sub_mch_id: '1900000999' }), /sub_mch_id/);
    await expectReturnFail('/pay/orderquery', as({ sub_mch_id: '1900000110', sub_appid: 'wxWRONG' }), /sub_appid/);
    await expectReturnFail('/pay/orderquery', as({ sub_appid: 'wxSUB' }), /sub_mch_id/);
  });

  it('counts SIGNERROR and the other refusals by name', async () => {
    const counters = sandbox.counters();
    expect(counters.byAnswer['SIGNERROR']).toBeGreaterThanOrEqual(4);
    expect(counters.byAnswer['REQUIRE_POST_METHOD']).toBe(1);
    expect(counters.byAnswer['POST_DATA_EMPTY']).toBe(1);
    expect(counters.byAnswer['XML_FORMAT_ERROR']).toBe(4);
  });
});

describe('result_code FAIL answers (signed)', () => {
  async function expectResultFail(path: string, fields: Record<string, string | undefined>, code: string) {
    const answer = await call(sandbox, path, fields);
    expect(answer['return_code']).toBe('SUCCESS');
    expect(answer['result_code']).toBe('FAIL');
    expect(answer['err_code']).toBe(code);
    expect(answer['err_code_des']).toBeTruthy();
    expect(answer['trade_state']).toBeUndefined();
    expect(verifySignature(answer, defaultMerchant.key, 'MD5')).toBe(true);
    return answer;
  }

  it('ORDERNOTEXIST, which the protocol client reads as not-found', async () => {
    const answer = await expectResultFail('/pay/orderquery', { out_trade_no: 'NOPE' }, 'ORDERNOTEXIST');
    expect([answer['appid'], answer['mch_id']]).toEqual([defaultMerchant.appId, defaultMerchant.mchId]);
    const client = createPayClient({ ...defaultMerchant, baseURL: sandbox.url });
    const outcome = await client.queryOrder({ outTradeNo: 'NOPE' });
    expect(outcome.kind).toBe('not-found');
  });

  it('ORDERNOTEXIST signed with HMAC-SHA256 when the request used it', async () => {
    const answer = await call(sandbox, '/pay/orderquery', { out_trade_no: 'NOPE' }, defaultMerchant.key, 'HMAC-SHA256');
    expect(answer['err_code']).toBe('ORDERNOTEXIST');
    expect(verifySignature(answer, defaultMerchant.key, 'HMAC-SHA256')).toBe(true);
    expect(verifySignature(answer, defaultMerchant.key, 'MD5')).toBe(false);
  });

  it('LACK_PARAMS without out_trade_no and transaction_id, or without nonce_str', async () => {
    await expectResultFail('/pay/orderquery', {}, 'LACK_PARAMS');
    await expectResultFail('/pay/orderquery', { out_trade_no: 'E1', nonce_str: undefined }, 'LACK_PARAMS');
    await expectResultFail('/pay/closeorder', { transaction_id: '4200001' }, 'LACK_PARAMS');
  });

  it('closeorder: closes an unpaid order, then ORDERCLOSED; ORDERPAID for a paid one; ORDERNOTEXIST', async () => {
    sandbox.createOrder({ outTradeNo: 'C1', totalFee: 1, tradeType: 'NATIVE', ageMs: CLOSE_MIN_AGE_MS });
    const closed = await call(sandbox, '/pay/closeorder', { out_trade_no: 'C1' });
    expect([closed['return_code'], closed['result_code']]).toEqual(['SUCCESS', 'SUCCESS']);
    expect(verifySignature(closed, defaultMerchant.key, 'MD5')).toBe(true);
    expect(sandbox.getOrder('C1')?.tradeState).toBe('CLOSED');
    await expectResultFail('/pay/closeorder', { out_trade_no: 'C1' }, 'ORDERCLOSED');

    sandbox.createOrder({ outTradeNo: 'C2', totalFee: 1, tradeType: 'NATIVE', initialState: 'SUCCESS' });
    await expectResultFail('/pay/closeorder', { out_trade_no: 'C2' }, 'ORDERPAID');
    expect(sandbox.getOrder('C2')?.tradeState).toBe('SUCCESS');
    await expectResultFail('/pay/closeorder', { out_trade_no: 'C404' }, 'ORDERNOTEXIST');
  });

  it('reverse: revokes a MICROPAY order (paid or not), refuses other trade types', async () => {
    sandbox.createOrder({ outTradeNo: 'R1', totalFee: 1, tradeType: 'MICROPAY', initialState: 'USERPAYING' });
    const revoked = await call(sandbox, '/secapi/pay/reverse', { out_trade_no: 'R1' });
    expect([revoked['result_code'], revoked['recall']]).toEqual(['SUCCESS', 'N']);
    expect(sandbox.getOrder('R1')?.tradeState).toBe('REVOKED');
    // Reversing again succeeds again (idempotent).
    expect((await call(sandbox, '/secapi/pay/reverse', { out_trade_no: 'R1' }))['result_code']).toBe('SUCCESS');

    const paid = sandbox.createOrder({ outTradeNo: 'R2', totalFee: 1, tradeType: 'MICROPAY', initialState: 'SUCCESS' });
    await call(sandbox, '/secapi/pay/reverse', { transaction_id: paid.transactionId });
    const after = await call(sandbox, '/pay/orderquery', { out_trade_no: 'R2' });
    // A reversed payment keeps its payment fields.
    expect([after['trade_state'], after['transaction_id']]).toEqual(['REVOKED', paid.transactionId]);

    sandbox.createOrder({ outTradeNo: 'R3', totalFee: 1, tradeType: 'NATIVE' });
    await expectResultFail('/secapi/pay/reverse', { out_trade_no: 'R3' }, 'TRADE_ERROR');
    await expectResultFail('/secapi/pay/reverse', { transaction_id: '4200001999' }, 'INVALID_TRANSACTIONID');
  });

  it('closeorder refuses USERPAYING and PAYERROR MICROPAY orders', async () => {
    sandbox.createOrder({ outTradeNo: 'C3', totalFee: 1, tradeType: 'MICROPAY', initialState: 'USERPAYING' });
    await expectResultFail('/pay/closeorder', { out_trade_no: 'C3' }, 'USERPAYING');
    sandbox.setTradeState('C3', 'PAYERROR');
    await expectResultFail('/pay/closeorder', { out_trade_no: 'C3' }, 'TRADE_ERROR');
  });
});

describe('outside the API', () => {
  it('an unknown path is a 404', async () => {
    expect((await post(sandbox, '/pay/unifiedorder', '<xml/>')).status).toBe(404);
  });

  it('answers are text XML with a Content-Length, over keep-alive', async () => {
    const body = signedRequest({ out_trade_no: 'E1' });
    const res = await fetch(`${sandbox.url}/pay/orderquery`, { method: 'POST', body });
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(await res.clone().text())));
    expect(res.headers.get('connection')).not.toBe('close');
    expect(parseXml(await res.text())['trade_state']).toBe('NOTPAY');
  });

  it('signs with the request merchant key, so the answer verifies only with it', async () => {
    const answer = await call(sandbox, '/pay/orderquery', { out_trade_no: 'E1' });
    expect(verifySignature(answer, defaultMerchant.key, 'MD5')).toBe(true);
    expect(verifySignature(answer, provider.key, 'MD5')).toBe(false);
    // The sign covers every field: recomputing over the parsed answer gives it back.
    expect(sign(answer, defaultMerchant.key, 'MD5')).toBe(answer['sign']);
  });
});
