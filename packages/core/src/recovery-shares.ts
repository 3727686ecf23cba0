/**
 * Splitting a recovery code into n printable share cards of which any k rebuild it.
 *
 * The code is sealed (AES-256-GCM, associated data naming the share set) under a fresh random
 * key; only that key is split with Shamir's scheme (`shamir-secret-sharing`, GF(2^8)). Every card
 * carries the same sealed envelope. Rebuilding opens the envelope, so a wrong, mixed-up or
 * tampered share is reported (`share_tampered`) instead of silently yielding a wrong code. Each
 * card's text has its own check character, so a typo is caught per card (`share_invalid`).
 *
 *   card text: S1-<base32 of payload, grouped by 5>   (last character: check character)
 *   payload:   0x01 | set id[6] | k[1] | n[1] | Shamir share[33] | envelope (sealed box bytes)
 */
import { combine, split } from 'shamir-secret-sharing';
import { associatedData } from './associated-data.ts';
import { bytesToHex, concatBytes, equalBytes, fromBase64Url, fromUtf8, randomBytes, toBase64Url, utf8 } from './bytes.ts';
import { CODE_ALPHABET, checkCharacter, compactCode, firstForeignCharacter, groupCode } from './check-character.ts';
import { LatchkeyError } from './errors.ts';
import { parseRecoveryCode, type RecoveryCode } from './recovery-code.ts';
import { importBoxKey, openBox, sealBox } from './sealed-box.ts';

export const SHARE_VERSION = 'S1';
const PAYLOAD_VERSION = 0x01;
const SET_ID_LENGTH = 6;
const SHARE_LENGTH = 33;
const HEADER_LENGTH = 1 + SET_ID_LENGTH + 2;

export interface RecoveryShare {
  /** 1-based position, for the card's title ("share 2 of 5"). */
  readonly index: number;
  readonly threshold: number;
  readonly total: number;
  readonly setId: string;
  /** What is printed on the card and typed back. */
  readonly text: string;
}

interface DecodedShare {
  readonly setId: Uint8Array;
  readonly threshold: number;
  readonly total: number;
  readonly share: Uint8Array;
  readonly envelope: Uint8Array;
}

function toBase32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CODE_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += CODE_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function fromBase32(chars: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of chars) {
    value = ((value << 5) | CODE_ALPHABET.indexOf(c)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

const envelopeAd = (setId: Uint8Array, threshold: number, total: number) =>
  associatedData('recovery-share-envelope', { set: bytesToHex(setId), threshold, total });

/** Splits into `total` shares, any `threshold` of which rebuild the code (2 ≤ threshold ≤ total ≤ 255). */
export async function splitRecoveryCode(code: RecoveryCode, options: { total: number; threshold: number }): Promise<RecoveryShare[]> {
  const { total, threshold } = options;
  if (!Number.isInteger(total) || !Number.isInteger(threshold) || threshold < 2 || threshold > total || total > 255) {
    throw new LatchkeyError('invalid_request', 'Choose at least 2 shares needed, and no more shares needed than shares made (at most 255).');
  }
  const setId = randomBytes(SET_ID_LENGTH);
  const key = randomBytes(32);
  const envelope = fromBase64Url(await sealBox(await importBoxKey(key), utf8(code), envelopeAd(setId, threshold, total)));
  const shares = await split(key, total, threshold);
  key.fill(0);
  return shares.map((share, i) => {
    const payload = concatBytes(new Uint8Array([PAYLOAD_VERSION]), setId, new Uint8Array([threshold, total]), share, envelope);
    const body = toBase32(payload);
    return {
      index: i + 1,
      threshold,
      total,
      setId: bytesToHex(setId),
      text: `${SHARE_VERSION}-${groupCode(body + checkCharacter(body), Array(Math.ceil((body.length + 1) / 5)).fill(5))}`,
    };
  });
}

/** Parses one card's text. Throws `share_invalid` for anything malformed or mistyped. */
export function parseRecoveryShare(text: string): DecodedShare {
  const compact = compactCode(text);
  if (!compact.startsWith(SHARE_VERSION)) throw new LatchkeyError('share_invalid', `A recovery share starts with "${SHARE_VERSION}-".`);
  const chars = compact.slice(SHARE_VERSION.length);
  const bad = firstForeignCharacter(chars);
  if (bad !== undefined || chars.length < 10) throw new LatchkeyError('share_invalid', 'This is not a recovery share.');
  if (checkCharacter(chars.slice(0, -1)) !== chars.slice(-1))
    throw new LatchkeyError('share_invalid', 'This recovery share has a typo: check it against the card.');
  const payload = fromBase32(chars.slice(0, -1));
  if (payload.length < HEADER_LENGTH + SHARE_LENGTH + 30 || payload[0] !== PAYLOAD_VERSION)
    throw new LatchkeyError('share_invalid', 'This recovery share is of an unknown format.');
  return {
    setId: payload.subarray(1, 1 + SET_ID_LENGTH),
    threshold: payload[1 + SET_ID_LENGTH]!,
    total: payload[2 + SET_ID_LENGTH]!,
    share: payload.subarray(HEADER_LENGTH, HEADER_LENGTH + SHARE_LENGTH),
    envelope: payload.subarray(HEADER_LENGTH + SHARE_LENGTH),
  };
}

/**
 * Rebuilds the code from share card texts. Throws `share_invalid` (a card mistyped),
 * `share_mismatch` (cards from different splits), `not_enough_shares`, or `share_tampered`
 * (the shares do not open the envelope: one is wrong or altered).
 */
export async function combineRecoveryShares(texts: readonly string[]): Promise<RecoveryCode> {
  const shares = texts.map(parseRecoveryShare);
  const first = shares[0];
  if (first === undefined) throw new LatchkeyError('not_enough_shares', 'No recovery shares were given.');
  if (shares.some((s) => !equalBytes(s.setId, first.setId) || s.threshold !== first.threshold || s.total !== first.total)) {
    throw new LatchkeyError('share_mismatch', 'These shares come from different splits of a recovery code.');
  }
  const distinct = shares.filter((s, i) => shares.findIndex((t) => equalBytes(t.share, s.share)) === i);
  if (distinct.length < first.threshold) {
    throw new LatchkeyError('not_enough_shares', `${first.threshold} different shares are needed; ${distinct.length} given.`);
  }
  // Over every card given, not only the distinct ones: a card that merely duplicates another's
  // Shamir part must not be skipped silently (or reported) depending on the order of the cards.
  if (shares.some((s) => !equalBytes(s.envelope, first.envelope))) {
    throw new LatchkeyError('share_tampered', 'The shares disagree: at least one was altered.');
  }
  let code: string;
  try {
    const key = await combine(distinct.map((s) => s.share));
    code = fromUtf8(await openBox(await importBoxKey(key), toBase64Url(first.envelope), envelopeAd(first.setId, first.threshold, first.total)));
  } catch (cause) {
    throw new LatchkeyError('share_tampered', 'These shares do not rebuild the recovery code: at least one is wrong or altered.', { cause });
  }
  return parseRecoveryCode(code);
}
