import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../../src/errors.ts';
import { parseJsonObject } from '../../src/v3/json.ts';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(MalformedResponseError);
    return (err as MalformedResponseError).code;
  }
  return 'parsed';
}

describe('reading an APIv3 JSON body', () => {
  it('gives the object of a well-formed body, from text or bytes', () => {
    expect(parseJsonObject('{"a":{"b":[1,"x"]}}')).toEqual({ a: { b: [1, 'x'] } });
    expect(parseJsonObject(Buffer.from('{"中":"文"}'))).toEqual({ 中: '文' });
  });

  it('refuses what is not one JSON object: HTML, nothing, an array, a string, a BOM, bad UTF-8', () => {
    for (const body of ['<html>502</html>', '', '[1]', '"x"', 'null', '\uFEFF{}', '{"a":1']) {
      expect(codeOf(() => parseJsonObject(body))).toBe('MALFORMED_JSON');
    }
    expect(codeOf(() => parseJsonObject(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])))).toBe(
      'MALFORMED_JSON',
    );
  });

  it('refuses __proto__, constructor and prototype keys at any depth', () => {
    const escaped = String.raw`{"\u005f_proto__":{"admin":true}}`;
    for (const body of [
      '{"__proto__":{"admin":true}}',
      '{"a":{"constructor":1}}',
      '{"a":[{"prototype":1}]}',
      escaped,
    ]) {
      expect(codeOf(() => parseJsonObject(body))).toBe('MALFORMED_JSON');
    }
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('refuses a body over the cap before parsing it, counting bytes not characters', () => {
    expect(codeOf(() => parseJsonObject(`{"a":"${'x'.repeat(70_000)}"}`))).toBe('MALFORMED_JSON');
    expect(codeOf(() => parseJsonObject(`{"a":"${'中'.repeat(30)}"}`, 64))).toBe('MALFORMED_JSON');
    expect(codeOf(() => parseJsonObject(`{"a":"${'x'.repeat(50)}"}`, 64))).toBe('parsed');
  });

  it('refuses a nesting bomb under the cap without overflowing the stack', () => {
    const bomb = `{"a":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
    expect(codeOf(() => parseJsonObject(bomb))).toBe('MALFORMED_JSON');
    const objects = `${'{"a":'.repeat(13)}1${'}'.repeat(13)}`;
    expect(codeOf(() => parseJsonObject(objects))).toBe('MALFORMED_JSON');
    expect(codeOf(() => parseJsonObject(`${'{"a":'.repeat(12)}1${'}'.repeat(12)}`))).toBe('parsed');
  });

  it('counts only real nesting: brackets and escaped quotes inside strings are text', () => {
    const text = JSON.stringify({ a: `${'['.repeat(40)}"${'{'.repeat(40)}`, b: [[1], [2], [3], [4], [5], [6], [7]] });
    expect(parseJsonObject(text)).toEqual(JSON.parse(text));
  });
});
