/** `latchkey run`'s output masking, chunk by chunk: secrets split over chunks, overlapping secrets, multi-byte characters. */
import { describe, expect, it } from 'vitest';
import { MASK, OutputMasker } from '../src/output-masker.ts';

const through = (masker: OutputMasker, chunks: Array<string | Buffer>) => chunks.map((c) => masker.push(c)).join('') + masker.end();

describe('OutputMasker', () => {
  it('masks a secret arriving one character at a time, and holds back only a possible start of one', () => {
    const masker = new OutputMasker(['hunter2']);
    expect(masker.push('user: hu')).toBe('user: ');
    expect(masker.push('nt')).toBe('');
    expect(masker.push('er2 ok hux')).toBe(`${MASK} ok hux`);
    expect(through(new OutputMasker(['hunter2']), [...'a hunter2 b hunter2'])).toBe(`a ${MASK} b ${MASK}`);
  });

  it('masks the longer of two overlapping secrets whole, and leaves one-character values alone', () => {
    expect(through(new OutputMasker(['abc', 'abcdef', 'x', '']), ['abcdef abc x'])).toBe(`${MASK} ${MASK} x`);
  });

  it('keeps multi-byte characters split between chunks intact', () => {
    const bytes = Buffer.from('pässwörd: 🔑geheim🔑');
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    expect(through(new OutputMasker(['🔑geheim🔑']), chunks)).toBe(`pässwörd: ${MASK}`);
  });

  it('passes output through untouched when there is nothing to mask', () => {
    const masker = new OutputMasker([]);
    expect(masker.push('plain')).toBe('plain');
    expect(masker.end()).toBe('');
  });
});
