import { describe, expect, it } from 'vitest';
import { isSignatureBase64 } from '../../src/v3/rsa.ts';

/** The rule as it was written before the hand loop replaced it: the loop must agree with it on every input. */
const REFERENCE = /^[A-Za-z0-9+/]{340,684}={0,2}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ODD = ['=', '-', '_', ' ', '\n', '@', '[', '`', '{', ':', '.', '\u00c1', '\u0141', '\uff21', '\u0000', '\ud83d'];

/** A small deterministic generator, so a failure names a reproducible case. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
}

describe('isSignatureBase64', () => {
  it('agrees with the reference regex on lengths, paddings and every odd character at every kind of position', () => {
    const next = random(14);
    let disagreements = 0;
    for (let n = 0; n < 4000; n++) {
      const length = 330 + Math.floor(next() * 370);
      let text = '';
      for (let i = 0; i < length; i++) text += ALPHABET[Math.floor(next() * ALPHABET.length)];
      const shape = Math.floor(next() * 4);
      if (shape === 1) text += '='.repeat(1 + Math.floor(next() * 3));
      if (shape === 2) {
        const at = Math.floor(next() * text.length);
        text = text.slice(0, at) + (ODD[Math.floor(next() * ODD.length)] as string) + text.slice(at + 1);
      }
      if (shape === 3) text = `=${text}`;
      if (isSignatureBase64(text) !== REFERENCE.test(text)) disagreements++;
    }
    expect(disagreements).toBe(0);
  });

  it('accepts the edges of the signature sizes and refuses just outside them', () => {
    for (const [text, ok] of [
      ['A'.repeat(340), true],
      ['A'.repeat(684), true],
      [`${'A'.repeat(342)}==`, true],
      ['A'.repeat(339), false],
      ['A'.repeat(685), false],
      [`${'A'.repeat(340)}===`, false],
      ['=='.repeat(200), false],
      ['', false],
    ] as const) {
      expect(isSignatureBase64(text)).toBe(ok);
      expect(REFERENCE.test(text)).toBe(ok);
    }
  });
});
