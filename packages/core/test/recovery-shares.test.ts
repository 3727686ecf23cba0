/**
 * Recovery share cards (S1): any k of n rebuild the code, fewer do not, duplicates do not count,
 * shares of different splits are not mixed, and a share that was altered (even one re-encoded
 * with a valid check character, so the per-card typo check cannot see it) is reported as
 * tampered instead of silently yielding a wrong code. The test decodes and re-encodes cards
 * with its own small codec, written from the format documented in recovery-shares.ts:
 *
 *   card text: S1-<base32 of payload, grouped by 5>   (last character: check character)
 *   payload:   0x01 | set id[6] | k[1] | n[1] | Shamir share[33] | envelope (sealed box bytes)
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../src/bytes.ts';
import { CODE_ALPHABET, checkCharacter } from '../src/check-character.ts';
import { generateRecoveryCode, parseRecoveryCode } from '../src/recovery-code.ts';
import { combineRecoveryShares, parseRecoveryShare, SHARE_VERSION, splitRecoveryCode } from '../src/recovery-shares.ts';
import { expectLatchkeyError, expectLatchkeyErrorSync } from './helpers/errors.ts';

const A = `[${CODE_ALPHABET}]`;
const FORMAT = new RegExp(`^S1-(${A}{5}-)*${A}{1,5}$`);

const SET_ID = { start: 1, end: 7 };
const THRESHOLD = 7;
const TOTAL = 8;
const SHAMIR = { start: 9, end: 42 };
const ENVELOPE = 42;

/* A codec written independently from the documented format (RFC 4648 bit order, our alphabet). */

function encodeBase32(bytes: Uint8Array): string {
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  bits = bits.padEnd(Math.ceil(bits.length / 5) * 5, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += CODE_ALPHABET[parseInt(bits.slice(i, i + 5), 2)];
  return out;
}

function decodeBase32(chars: string): Uint8Array {
  const bits = [...chars].map((c) => CODE_ALPHABET.indexOf(c).toString(2).padStart(5, '0')).join('');
  const out = new Uint8Array(Math.floor(bits.length / 8));
  for (let i = 0; i < out.length; i++) out[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  return out;
}

/** Payload bytes → card text, with a valid check character. */
function encodeCard(payload: Uint8Array): string {
  const body = encodeBase32(payload);
  const chars = body + checkCharacter(body);
  return `S1-${chars.match(/.{1,5}/g)!.join('-')}`;
}

/** Card text → payload bytes (checking the check character, as a careful reader would). */
function decodeCard(text: string): Uint8Array {
  expect(text.startsWith('S1-')).toBe(true);
  const chars = text.slice(3).replace(/-/g, '');
  expect(checkCharacter(chars.slice(0, -1))).toBe(chars.slice(-1));
  return decodeBase32(chars.slice(0, -1));
}

/** Decodes a card, lets `change` alter the payload, and re-encodes it with a valid check character. */
function alter(text: string, change: (payload: Uint8Array) => void): string {
  const payload = decodeCard(text);
  change(payload);
  const altered = encodeCard(payload);
  expect(altered).not.toBe(text);
  expect(() => parseRecoveryShare(altered)).not.toThrow(); // the typo check cannot see it
  return altered;
}

/** Every k-element subset of `items`. */
function subsets<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (items.length < k) return [];
  const [first, ...rest] = items;
  return [...subsets(rest, k - 1).map((s) => [first!, ...s]), ...subsets(rest, k)];
}

describe('splitRecoveryCode', () => {
  it('makes n cards, numbered 1..n, of one set, in the documented format', async () => {
    const code = generateRecoveryCode();
    const shares = await splitRecoveryCode(code, { total: 5, threshold: 3 });
    expect(shares.map((s) => s.index)).toEqual([1, 2, 3, 4, 5]);
    expect(SHARE_VERSION).toBe('S1');
    const setIds = new Set(shares.map((s) => s.setId));
    expect(setIds.size).toBe(1);
    const envelopes = new Set<string>();
    for (const share of shares) {
      expect(share.threshold).toBe(3);
      expect(share.total).toBe(5);
      expect(share.setId).toMatch(/^[0-9a-f]{12}$/);
      expect(share.text).toMatch(FORMAT);
      // The last character is the check character of all the others.
      const chars = share.text.slice(3).replace(/-/g, '');
      expect(chars.at(-1)).toBe(checkCharacter(chars.slice(0, -1)));
      // The payload is laid out as documented.
      const payload = decodeCard(share.text);
      expect(encodeCard(payload)).toBe(share.text);
      expect(payload[0]).toBe(0x01);
      expect(bytesToHex(payload.subarray(SET_ID.start, SET_ID.end))).toBe(share.setId);
      expect(payload[THRESHOLD]).toBe(3);
      expect(payload[TOTAL]).toBe(5);
      const envelope = payload.subarray(ENVELOPE);
      // A sealed box: version 0x01, 12-byte nonce, the 44-character code encrypted, 16-byte tag.
      expect(envelope[0]).toBe(0x01);
      expect(envelope).toHaveLength(1 + 12 + code.length + 16);
      envelopes.add(bytesToHex(envelope));
      // The code itself is nowhere in the card, in any form.
      expect(share.text).not.toContain(code.slice(3, 14));
      expect(new TextDecoder('latin1').decode(payload)).not.toContain(code.slice(3, 14));
    }
    // Every card carries the same envelope, and the Shamir parts all differ.
    expect(envelopes.size).toBe(1);
    expect(new Set(shares.map((s) => bytesToHex(decodeCard(s.text).subarray(SHAMIR.start, SHAMIR.end)))).size).toBe(5);
    // parseRecoveryShare reads the same fields.
    const parsed = parseRecoveryShare(shares[0]!.text);
    expect(parsed.threshold).toBe(3);
    expect(parsed.total).toBe(5);
    expect(bytesToHex(parsed.setId)).toBe(shares[0]!.setId);
    expect(parsed.share).toHaveLength(33);
  });

  it('makes a new set each time: two splits of one code share no set id and no card', async () => {
    const code = generateRecoveryCode();
    const a = await splitRecoveryCode(code, { total: 3, threshold: 2 });
    const b = await splitRecoveryCode(code, { total: 3, threshold: 2 });
    expect(a[0]!.setId).not.toBe(b[0]!.setId);
    for (const s of a) expect(b.map((t) => t.text)).not.toContain(s.text);
  });

  it('validates threshold and total: 2 ≤ k ≤ n ≤ 255, whole numbers', async () => {
    const code = generateRecoveryCode();
    for (const [total, threshold] of [
      [5, 1],
      [5, 0],
      [5, -1],
      [3, 4],
      [256, 2],
      [256, 256],
      [1, 1],
      [5, 2.5],
      [5.5, 2],
      [Number.NaN, 2],
      [5, Number.POSITIVE_INFINITY],
    ] as const) {
      await expectLatchkeyError(() => splitRecoveryCode(code, { total, threshold }), 'invalid_request');
    }
    expect(await splitRecoveryCode(code, { total: 2, threshold: 2 })).toHaveLength(2);
    const most = await splitRecoveryCode(code, { total: 255, threshold: 255 });
    expect(most).toHaveLength(255);
    expect(await combineRecoveryShares(most.map((s) => s.text))).toBe(code);
  });
});

describe('combineRecoveryShares', () => {
  it('any 3 of 5 rebuild the code: every subset, in any order, and more than 3 too', async () => {
    const code = generateRecoveryCode();
    const texts = (await splitRecoveryCode(code, { total: 5, threshold: 3 })).map((s) => s.text);
    const all = subsets(texts, 3);
    expect(all).toHaveLength(10);
    for (const subset of all) {
      expect(await combineRecoveryShares(subset)).toBe(code);
      expect(await combineRecoveryShares([...subset].reverse())).toBe(code);
    }
    for (const subset of subsets(texts, 4)) expect(await combineRecoveryShares(subset)).toBe(code);
    expect(await combineRecoveryShares(texts)).toBe(code);
  });

  it('accepts cards as people type them: lower case, spaces, line breaks, no dashes', async () => {
    const code = generateRecoveryCode();
    const [a, b] = (await splitRecoveryCode(code, { total: 2, threshold: 2 })).map((s) => s.text);
    const typed = [a!.toLowerCase().replace(/-/g, ' '), b!.replace(/-/g, '').replace(/(.{40})/g, '$1\n')];
    const rebuilt = await combineRecoveryShares(typed);
    expect(rebuilt).toBe(code);
    expect(parseRecoveryCode(rebuilt)).toBe(code);
  });

  it('k - 1 shares (or none) are not enough', async () => {
    const texts = (await splitRecoveryCode(generateRecoveryCode(), { total: 5, threshold: 3 })).map((s) => s.text);
    for (const subset of subsets(texts, 2)) await expectLatchkeyError(() => combineRecoveryShares(subset), 'not_enough_shares');
    await expectLatchkeyError(() => combineRecoveryShares(texts.slice(0, 1)), 'not_enough_shares');
    await expectLatchkeyError(() => combineRecoveryShares([]), 'not_enough_shares');
  });

  it('the same share twice counts once, however it was typed', async () => {
    const code = generateRecoveryCode();
    const texts = (await splitRecoveryCode(code, { total: 5, threshold: 3 })).map((s) => s.text);
    await expectLatchkeyError(() => combineRecoveryShares([texts[0]!, texts[0]!, texts[1]!]), 'not_enough_shares');
    await expectLatchkeyError(() => combineRecoveryShares([texts[0]!, texts[0]!.toLowerCase(), texts[1]!, texts[1]!]), 'not_enough_shares');
    // A duplicate alongside enough distinct shares does no harm.
    expect(await combineRecoveryShares([texts[0]!, texts[0]!, texts[1]!, texts[2]!])).toBe(code);
  });

  it('refuses shares of two different splits (share_mismatch), of one code or of two', async () => {
    const code = generateRecoveryCode();
    const a = (await splitRecoveryCode(code, { total: 3, threshold: 2 })).map((s) => s.text);
    const b = (await splitRecoveryCode(code, { total: 3, threshold: 2 })).map((s) => s.text);
    const c = (await splitRecoveryCode(generateRecoveryCode(), { total: 3, threshold: 2 })).map((s) => s.text);
    await expectLatchkeyError(() => combineRecoveryShares([a[0]!, b[1]!]), 'share_mismatch');
    await expectLatchkeyError(() => combineRecoveryShares([a[0]!, c[1]!]), 'share_mismatch');
    await expectLatchkeyError(() => combineRecoveryShares([a[0]!, a[1]!, c[2]!]), 'share_mismatch');
    // Same set id but other numbers is a mismatch too.
    const d = (await splitRecoveryCode(code, { total: 5, threshold: 3 })).map((s) => s.text);
    await expectLatchkeyError(() => combineRecoveryShares([d[0]!, d[1]!, alter(d[2]!, (p) => (p[TOTAL] = 6))]), 'share_mismatch');
  });

  it('reports a share whose Shamir bytes were altered and re-encoded with a valid check character', async () => {
    const code = generateRecoveryCode();
    const texts = (await splitRecoveryCode(code, { total: 5, threshold: 3 })).map((s) => s.text);
    // Every byte of the Shamir part, including the x coordinate (its last byte), in turn.
    for (let offset = SHAMIR.start; offset < SHAMIR.end; offset++) {
      const altered = alter(texts[1]!, (p) => (p[offset]! ^= 0x01));
      await expectLatchkeyError(() => combineRecoveryShares([texts[0]!, altered, texts[2]!]), 'share_tampered');
    }
    // An x coordinate made equal to another share's.
    const otherX = decodeCard(texts[0]!)[SHAMIR.end - 1]!;
    const sameX = alter(texts[1]!, (p) => (p[SHAMIR.end - 1] = otherX));
    await expectLatchkeyError(() => combineRecoveryShares([texts[0]!, sameX, texts[2]!]), 'share_tampered');
    // An altered share among more than enough good ones is still reported, not outvoted.
    const altered = alter(texts[4]!, (p) => (p[SHAMIR.start + 5]! ^= 0x80));
    await expectLatchkeyError(() => combineRecoveryShares([...texts.slice(0, 4), altered]), 'share_tampered');
  });

  it('reports an altered envelope, in one share or consistently in all of them', async () => {
    const code = generateRecoveryCode();
    const texts = (await splitRecoveryCode(code, { total: 3, threshold: 2 })).map((s) => s.text);
    const envelopeLength = decodeCard(texts[0]!).length - ENVELOPE;
    for (const at of [0, 1, 12, 13, envelopeLength - 1]) {
      const flip = (p: Uint8Array) => (p[ENVELOPE + at]! ^= 0x04);
      await expectLatchkeyError(() => combineRecoveryShares([texts[0]!, alter(texts[1]!, flip)]), 'share_tampered');
      await expectLatchkeyError(() => combineRecoveryShares([alter(texts[0]!, flip), alter(texts[1]!, flip)]), 'share_tampered');
    }
  });

  it('reports a card whose envelope disagrees even when its Shamir part duplicates another card, in any order', async () => {
    const code = generateRecoveryCode();
    const texts = (await splitRecoveryCode(code, { total: 3, threshold: 2 })).map((s) => s.text);
    const copy = alter(texts[0]!, (p) => (p[ENVELOPE + 20]! ^= 0x10));
    const cards = [texts[0]!, copy, texts[1]!];
    // Every order gives the same answer: the altered card is reported, never silently skipped.
    for (const order of [
      [0, 1, 2],
      [1, 0, 2],
      [2, 1, 0],
      [2, 0, 1],
      [0, 2, 1],
      [1, 2, 0],
    ]) {
      await expectLatchkeyError(() => combineRecoveryShares(order.map((i) => cards[i]!)), 'share_tampered');
    }
  });

  it('reports headers changed consistently in every share: the envelope binds set id, k and n', async () => {
    const texts = (await splitRecoveryCode(generateRecoveryCode(), { total: 3, threshold: 2 })).map((s) => s.text);
    const changes: ((p: Uint8Array) => void)[] = [(p) => (p[SET_ID.start]! ^= 1), (p) => (p[TOTAL] = 4), (p) => (p[THRESHOLD] = 3), (p) => (p[THRESHOLD] = 1)];
    for (const change of changes) {
      const altered = texts.map((t) => alter(t, change));
      await expectLatchkeyError(() => combineRecoveryShares(altered), 'share_tampered');
    }
  });

  it('an envelope swapped in from another split is reported, even with the right header', async () => {
    const code = generateRecoveryCode();
    const a = (await splitRecoveryCode(code, { total: 2, threshold: 2 })).map((s) => s.text);
    const b = (await splitRecoveryCode(generateRecoveryCode(), { total: 2, threshold: 2 })).map((s) => s.text);
    const foreign = decodeCard(b[0]!).subarray(ENVELOPE);
    const swapped = a.map((t) => encodeCard(new Uint8Array([...decodeCard(t).subarray(0, ENVELOPE), ...foreign])));
    await expectLatchkeyError(() => combineRecoveryShares(swapped), 'share_tampered');
  });

  it('a typo in a card is share_invalid, as is anything that is not a card', async () => {
    const texts = (await splitRecoveryCode(generateRecoveryCode(), { total: 3, threshold: 2 })).map((s) => s.text);
    const text = texts[0]!;
    const chars = text.slice(3).replace(/-/g, '');
    // Every single substitution at a sample of positions, and an adjacent swap.
    for (const i of [0, 1, 10, 50, 100, chars.length - 2, chars.length - 1]) {
      const replacement = CODE_ALPHABET[(CODE_ALPHABET.indexOf(chars[i]!) + 7) % 32]!;
      const typo = `S1-${chars.slice(0, i)}${replacement}${chars.slice(i + 1)}`;
      await expectLatchkeyError(() => combineRecoveryShares([typo, texts[1]!]), 'share_invalid');
    }
    const swapAt = [...chars].findIndex((c, i) => i > 20 && c !== chars[i + 1]);
    const swapped = `S1-${chars.slice(0, swapAt)}${chars[swapAt + 1]}${chars[swapAt]}${chars.slice(swapAt + 2)}`;
    await expectLatchkeyError(() => combineRecoveryShares([swapped, texts[1]!]), 'share_invalid');
    for (const bad of [
      '',
      'S1-',
      chars, // no version
      `S2-${text.slice(3)}`,
      `R1-${text.slice(3)}`,
      `${text.slice(0, 20)}0${text.slice(21)}`,
      text.slice(0, 40), // cut short
      encodeCard(new Uint8Array([0x02, ...decodeCard(text).subarray(1)])), // unknown payload version
      encodeCard(decodeCard(text).subarray(0, ENVELOPE + 10)), // too short to hold an envelope
    ]) {
      expectLatchkeyErrorSync(() => parseRecoveryShare(bad), 'share_invalid');
      await expectLatchkeyError(() => combineRecoveryShares([bad, texts[1]!]), 'share_invalid');
    }
  });
});
