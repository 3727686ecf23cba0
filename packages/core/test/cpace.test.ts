/**
 * CPace (draft-irtf-cfrg-cpace, CPACE-RISTR255-SHA512) against the draft's vectors in
 * shared/vectors/cpace (the "G_Coffee25519" entries are ristretto255), then the protocol runs:
 * matching codes agree, a wrong code fails both sides' key confirmation, invalid shares are
 * refused, a replayed transcript and a reused state fail.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, utf8 } from '../src/bytes.ts';
import {
  CPACE_IDENTITY,
  calculateGenerator,
  confirmationKey,
  confirmationTag,
  CpaceInitiator,
  type CpaceParameters,
  CpaceResponder,
  generatorString,
  intermediateSessionKey,
  lvCat,
  prependLen,
  scalarFromBytes,
  scalarMult,
  scalarMultVfy,
  sessionIdOutput,
  transcriptIr,
} from '../src/cpace.ts';
import { expectLatchkeyErrorSync } from './helpers/errors.ts';
import { findRepoRoot } from './helpers/wycheproof.ts';

interface RistrettoVectors {
  readonly G_Coffee25519: Record<'PRS' | 'CI' | 'sid' | 'g' | 'ya' | 'ADa' | 'Ya' | 'yb' | 'ADb' | 'Yb' | 'K' | 'ISK_IR' | 'sid_output_ir', string>;
  readonly G_Coffee25519_points: {
    readonly Valid: { readonly s: string; readonly X: string; readonly 'G.scalar_mult(s,decode(X))': string; readonly 'G.scalar_mult_vfy(s,X)': string };
    readonly 'Invalid Y1': string;
    readonly 'Invalid Y2': string;
  };
}

// A missing file is an error, never a skip.
const vectors = JSON.parse(readFileSync(path.resolve(findRepoRoot(), '../shared/vectors/cpace/testvectors.json'), 'utf8')) as RistrettoVectors;
const v = vectors.G_Coffee25519;
const hex = (bytes: Uint8Array) => bytesToHex(bytes).toUpperCase();
const h = hexToBytes;

describe('CPace string utilities (draft appendix vectors)', () => {
  it('prepend_len and lv_cat', () => {
    expect(bytesToHex(prependLen(new Uint8Array()))).toBe('00');
    expect(bytesToHex(prependLen(utf8('1234')))).toBe('0431323334');
    expect(bytesToHex(prependLen(new Uint8Array(127)).subarray(0, 1))).toBe('7f');
    expect(bytesToHex(prependLen(new Uint8Array(128)).subarray(0, 2))).toBe('8001');
    expect(bytesToHex(lvCat(utf8('1234'), utf8('5'), utf8(''), utf8('678')))).toBe('043132333401350003363738');
  });

  it('transcript_ir', () => {
    expect(bytesToHex(transcriptIr(utf8('123'), utf8('PartyA'), utf8('234'), utf8('PartyB')))).toBe('03313233065061727479410332333406506172747942');
  });
});

describe('CPace ristretto255 + SHA-512 (draft vectors)', () => {
  const prs = h(v.PRS);
  const ci = h(v.CI);
  const sid = h(v.sid);
  const ya = scalarFromBytes(h(v.ya));
  const yb = scalarFromBytes(h(v.yb));

  it('generator string pads DSI and PRS to one SHA-512 block', () => {
    // 1 + 17 (DSI) + 1 + 8 (PRS) + 1 + 100 (zero padding) = 128, then CI and sid.
    expect(generatorString(prs, ci, sid).length).toBe(170);
  });

  it('generator g from PRS, CI and sid', () => {
    expect(hex(calculateGenerator(prs, ci, sid).toBytes())).toBe(v.g);
  });

  it('Ya and Yb', () => {
    const g = calculateGenerator(prs, ci, sid);
    expect(hex(scalarMult(ya, g))).toBe(v.Ya);
    expect(hex(scalarMult(yb, g))).toBe(v.Yb);
  });

  it('K from both sides', () => {
    expect(hex(scalarMultVfy(ya, h(v.Yb)))).toBe(v.K);
    expect(hex(scalarMultVfy(yb, h(v.Ya)))).toBe(v.K);
  });

  it('ISK (initiator-responder) and sid_output', () => {
    const transcript = transcriptIr(h(v.Ya), h(v.ADa), h(v.Yb), h(v.ADb));
    expect(hex(intermediateSessionKey(sid, h(v.K), transcript))).toBe(v.ISK_IR);
    expect(hex(sessionIdOutput(transcript))).toBe(v.sid_output_ir);
  });

  it('scalar_mult_vfy: a valid point, then G.I for an invalid encoding and for the identity', () => {
    const points = vectors.G_Coffee25519_points;
    const s = scalarFromBytes(h(points.Valid.s));
    expect(hex(scalarMultVfy(s, h(points.Valid.X)))).toBe(points.Valid['G.scalar_mult_vfy(s,X)']);
    expect(scalarMultVfy(s, h(points['Invalid Y1']))).toEqual(CPACE_IDENTITY);
    expect(scalarMultVfy(s, h(points['Invalid Y2']))).toEqual(CPACE_IDENTITY);
    expect(scalarMultVfy(s, new Uint8Array(31))).toEqual(CPACE_IDENTITY);
  });

  it('refuses scalars outside [0, order) and of the wrong length', () => {
    expect(() => scalarFromBytes(new Uint8Array(32).fill(0xff))).toThrow(RangeError);
    expect(() => scalarFromBytes(new Uint8Array(31))).toThrow(RangeError);
  });
});

describe('CPace runs', () => {
  const AD_A = utf8('initiator');
  const AD_B = utf8('responder');
  const parameters = (code: string, sid = new Uint8Array(16).fill(7)): CpaceParameters => ({
    prs: utf8(code),
    ci: lvCat(utf8('account'), utf8('new-device'), utf8('trusted-device')),
    sid,
  });

  it('the same code, channel and sid give both sides the same ISK after key confirmation', () => {
    const a = CpaceInitiator.start(parameters('ABCD-2345'), AD_A);
    const b = CpaceResponder.respond(parameters('ABCD-2345'), a.message, AD_B);
    const { isk, confirmation } = a.finish(b.message);
    expect(isk.length).toBe(64);
    expect(b.finish(confirmation)).toEqual(isk);
  });

  it('fresh scalars: two runs with the same inputs give different shares and keys', () => {
    const run = () => {
      const a = CpaceInitiator.start(parameters('ABCD-2345'), AD_A);
      const b = CpaceResponder.respond(parameters('ABCD-2345'), a.message, AD_B);
      return { share: a.message.share, isk: b.finish(a.finish(b.message).confirmation) };
    };
    const [first, second] = [run(), run()];
    expect(first.share).not.toEqual(second.share);
    expect(first.isk).not.toEqual(second.isk);
  });

  it('a wrong code fails the initiator on Tb and the responder on Ta', () => {
    const a = CpaceInitiator.start(parameters('WRONG-CODE'), AD_A);
    const b = CpaceResponder.respond(parameters('ABCD-2345'), a.message, AD_B);
    expectLatchkeyErrorSync(() => a.finish(b.message), 'cpace_confirmation_failed');
    // A peer with the wrong code that ignores the failure and answers with its own tag anyway,
    // built from the same public steps an initiator takes.
    const sid = parameters('x').sid;
    const g = calculateGenerator(utf8('WRONG-CODE'), parameters('x').ci, sid);
    const ya = 12345678901234567890n;
    const share = scalarMult(ya, g);
    const b2 = CpaceResponder.respond(parameters('ABCD-2345'), { share, ad: AD_A }, AD_B);
    const k = scalarMultVfy(ya, b2.message.share);
    const isk = intermediateSessionKey(sid, k, transcriptIr(share, AD_A, b2.message.share, AD_B));
    const tagA = confirmationTag(confirmationKey(sid, isk), share, AD_A);
    expectLatchkeyErrorSync(() => b2.finish(tagA), 'cpace_confirmation_failed');
  });

  it('a different channel identifier (another device or account) fails key confirmation', () => {
    const a = CpaceInitiator.start({ ...parameters('ABCD-2345'), ci: lvCat(utf8('account'), utf8('other-device'), utf8('trusted-device')) }, AD_A);
    const b = CpaceResponder.respond(parameters('ABCD-2345'), a.message, AD_B);
    expectLatchkeyErrorSync(() => a.finish(b.message), 'cpace_confirmation_failed');
  });

  it('the identity element and invalid encodings are refused on both sides', () => {
    const invalid = [CPACE_IDENTITY, h(vectors.G_Coffee25519_points['Invalid Y1']), new Uint8Array(31), new Uint8Array(33)];
    for (const share of invalid) {
      expectLatchkeyErrorSync(() => CpaceResponder.respond(parameters('ABCD-2345'), { share, ad: AD_A }, AD_B), 'cpace_invalid_share');
      const a = CpaceInitiator.start(parameters('ABCD-2345'), AD_A);
      expectLatchkeyErrorSync(() => a.finish({ share, ad: AD_B, confirmation: new Uint8Array(64) }), 'cpace_invalid_share');
    }
  });

  it('a reply that reflects the initiator its own share is refused', () => {
    const a = CpaceInitiator.start(parameters('ABCD-2345'), AD_A);
    expectLatchkeyErrorSync(() => a.finish({ share: a.message.share, ad: AD_A, confirmation: new Uint8Array(64) }), 'cpace_invalid_share');
  });

  it('a transcript replayed into a new run (new sid, fresh scalars) fails key confirmation on both sides', () => {
    const oldSid = new Uint8Array(16).fill(1);
    const newSid = new Uint8Array(16).fill(2);
    const a = CpaceInitiator.start(parameters('ABCD-2345', oldSid), AD_A);
    const b = CpaceResponder.respond(parameters('ABCD-2345', oldSid), a.message, AD_B);
    const { confirmation } = a.finish(b.message);
    b.finish(confirmation);

    // The recorded message 1 and Ta replayed to a responder in a new run.
    const replayedTo = CpaceResponder.respond(parameters('ABCD-2345', newSid), a.message, AD_B);
    expectLatchkeyErrorSync(() => replayedTo.finish(confirmation), 'cpace_confirmation_failed');
    // The recorded message 2 replayed to an initiator in a new run, with the same sid too.
    for (const sid of [oldSid, newSid]) {
      const fresh = CpaceInitiator.start(parameters('ABCD-2345', sid), AD_A);
      expectLatchkeyErrorSync(() => fresh.finish(b.message), 'cpace_confirmation_failed');
    }
  });

  it('each state is single-use, also after a failure', () => {
    const a = CpaceInitiator.start(parameters('ABCD-2345'), AD_A);
    const b = CpaceResponder.respond(parameters('ABCD-2345'), a.message, AD_B);
    const { confirmation } = a.finish(b.message);
    expectLatchkeyErrorSync(() => a.finish(b.message), 'cpace_state_used');
    b.finish(confirmation);
    expectLatchkeyErrorSync(() => b.finish(confirmation), 'cpace_state_used');

    const a2 = CpaceInitiator.start(parameters('ABCD-2345'), AD_A);
    const b2 = CpaceResponder.respond(parameters('ABCD-2345'), a2.message, AD_B);
    expectLatchkeyErrorSync(() => b2.finish(new Uint8Array(64)), 'cpace_confirmation_failed');
    // The right tag after a wrong one: the run is over (one guess per run).
    expectLatchkeyErrorSync(() => b2.finish(a2.finish(b2.message).confirmation), 'cpace_state_used');
  });
});
