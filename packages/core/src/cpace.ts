/**
 * CPace (draft-irtf-cfrg-cpace), cipher suite CPACE-RISTR255-SHA512, in the initiator-responder
 * setting, with the explicit key confirmation the draft recommends (§ "Key confirmation").
 * Group operations are @noble/curves' ristretto255 (RFC 9496), hashes @noble/hashes' SHA-512;
 * this file only composes them as the draft says (docs/protocol.md §24).
 *
 * Why CPace: two devices that share only a short code typed by a person agree on a strong key
 * through a relay (the Latchkey server) that sees every message. A relay, or anyone else, gets
 * one guess at the code per run and nothing to test guesses against offline.
 *
 * Protects against: a peer sending the identity element or a non-canonical encoding (refused,
 * never used: it would fix K whatever the code), a reply reflected back to its sender (the two
 * roles have different associated data, and an echoed share is refused), a transcript from
 * another run replayed into this one (the session id and fresh scalars change ISK, so the
 * confirmation tag does not verify), and a state object driven twice (each step is single-use).
 * The flow is three messages: Ya (initiator), Yb + Tb (responder), Ta (initiator). Each side
 * releases ISK only after checking the other's tag.
 */
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, equalBytes, randomBytes, utf8, wipe } from './bytes.ts';
import { LatchkeyError } from './errors.ts';

type RistrettoPoint = InstanceType<typeof ristretto255.Point>;

/** G_Ristretto255.DSI. */
export const CPACE_DSI = utf8('CPaceRistretto255');
const DSI_ISK = utf8('CPaceRistretto255_ISK');
const MAC_KEY_PREFIX = utf8('CPaceMac');
const SID_OUTPUT_PREFIX = utf8('CPaceSidOutput');
/** SHA-512's input block size (H.s_in_bytes): the zero padding fills the first block after DSI and PRS. */
const HASH_BLOCK_BYTES = 128;
/** G.field_size_bytes: generator hashes are 2 · 32 bytes; encoded elements and scalars are 32. */
const FIELD_BYTES = 32;
export const CPACE_SHARE_LENGTH = 32;
/** HMAC-SHA-512 tags. */
export const CPACE_TAG_LENGTH = 64;
/** G.I: the public encoding of the identity element. */
export const CPACE_IDENTITY = new Uint8Array(FIELD_BYTES);
const GROUP_ORDER = ristretto255.Point.Fn.ORDER;

/** LEB128 of the length, then the bytes (the draft's prepend_len). */
export function prependLen(data: Uint8Array): Uint8Array {
  const length: number[] = [];
  let n = data.length;
  do {
    length.push(n < 128 ? n : (n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  } while (n > 0);
  return concatBytes(new Uint8Array(length), data);
}

/** The draft's lv_cat: every part length-prefixed, so the concatenation is prefix-free. */
export function lvCat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(...parts.map(prependLen));
}

/** lv_cat(DSI, PRS, zero padding, CI, sid), padded so DSI and PRS fill the first hash block. */
export function generatorString(prs: Uint8Array, ci: Uint8Array, sid: Uint8Array): Uint8Array {
  const zpad = Math.max(0, HASH_BLOCK_BYTES - 1 - prependLen(prs).length - prependLen(CPACE_DSI).length);
  return lvCat(CPACE_DSI, prs, new Uint8Array(zpad), ci, sid);
}

/** G.calculate_generator: the RFC 9496 element derivation of SHA-512(generator string). */
export function calculateGenerator(prs: Uint8Array, ci: Uint8Array, sid: Uint8Array): RistrettoPoint {
  const hash = sha512(generatorString(prs, ci, sid));
  try {
    // Optional in the shared hasher type; ristretto255's hasher always has it.
    return ristretto255_hasher.deriveToCurve!(hash);
  } finally {
    wipe(hash); // the generator is a function of the code; so is this hash
  }
}

/**
 * G.sample_scalar as the draft recommends: 32 random bytes with the bits above 252 cleared, read
 * little-endian (always below the group order). Zero, probability 2^-252, is drawn again.
 */
export function sampleScalar(): bigint {
  for (;;) {
    const bytes = randomBytes(FIELD_BYTES);
    bytes[FIELD_BYTES - 1]! &= 0x0f;
    const scalar = scalarFromBytes(bytes);
    wipe(bytes);
    if (scalar !== 0n) return scalar;
  }
}

/** Reads a little-endian scalar (as the draft's vectors print them). @throws RangeError outside [1, order). */
export function scalarFromBytes(bytes: Uint8Array): bigint {
  if (bytes.length !== FIELD_BYTES) throw new RangeError('a CPace scalar is 32 bytes');
  let scalar = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) scalar = (scalar << 8n) | BigInt(bytes[i]!);
  if (scalar >= GROUP_ORDER) throw new RangeError('a CPace scalar is below the group order');
  return scalar;
}

/** G.scalar_mult: y · g, encoded. */
export function scalarMult(y: bigint, g: RistrettoPoint): Uint8Array {
  return g.multiply(y).toBytes();
}

/**
 * G.scalar_mult_vfy: y · decode(X), encoded; the identity encoding when X is not a canonical
 * ristretto255 encoding (or is the identity itself, whose multiples are all the identity).
 */
export function scalarMultVfy(y: bigint, encoded: Uint8Array): Uint8Array {
  if (encoded.length !== FIELD_BYTES) return CPACE_IDENTITY.slice();
  let point: RistrettoPoint;
  try {
    point = ristretto255.Point.fromBytes(encoded);
  } catch {
    return CPACE_IDENTITY.slice();
  }
  if (point.is0()) return CPACE_IDENTITY.slice();
  return point.multiply(y).toBytes();
}

/** transcript_ir: the initiator's message first, whatever order they arrived in. */
export function transcriptIr(ya: Uint8Array, adA: Uint8Array, yb: Uint8Array, adB: Uint8Array): Uint8Array {
  return concatBytes(lvCat(ya, adA), lvCat(yb, adB));
}

/** ISK = SHA-512(lv_cat(DSI || "_ISK", sid, K) || transcript_ir). */
export function intermediateSessionKey(sid: Uint8Array, k: Uint8Array, transcript: Uint8Array): Uint8Array {
  return sha512(concatBytes(lvCat(DSI_ISK, sid, k), transcript));
}

/** The draft's optional sid_output (a public id for the run; Latchkey has a sid, so only tests use it). */
export function sessionIdOutput(transcript: Uint8Array): Uint8Array {
  return sha512(concatBytes(SID_OUTPUT_PREFIX, transcript));
}

/** mac_key = SHA-512("CPaceMac" || sid || ISK), as the draft's key-confirmation section derives it. */
export function confirmationKey(sid: Uint8Array, isk: Uint8Array): Uint8Array {
  return sha512(concatBytes(MAC_KEY_PREFIX, sid, isk));
}

/** A party's tag over the message it sent: HMAC-SHA-512(mac_key, lv_cat(Y, AD)). */
export function confirmationTag(macKey: Uint8Array, share: Uint8Array, ad: Uint8Array): Uint8Array {
  return hmac(sha512, macKey, lvCat(share, ad));
}

/** What both parties must agree on before a run; any difference yields different keys. */
export interface CpaceParameters {
  /** Password-related string: here the verification code, canonical form. */
  readonly prs: Uint8Array;
  /** Channel identifier: binds the run to the account and both devices; never sent. */
  readonly ci: Uint8Array;
  /** Session id, unique per run, public. */
  readonly sid: Uint8Array;
}

/** Ya and ADa. */
export interface CpaceInitiatorMessage {
  readonly share: Uint8Array;
  readonly ad: Uint8Array;
}

/** Yb, ADb and Tb. */
export interface CpaceResponderMessage {
  readonly share: Uint8Array;
  readonly ad: Uint8Array;
  readonly confirmation: Uint8Array;
}

const invalidShare = (message: string) => new LatchkeyError('cpace_invalid_share', message);
const confirmationFailed = () =>
  new LatchkeyError('cpace_confirmation_failed', 'The other device did not prove it knows the verification code: wrong code, or tampered messages.');
const stateUsed = () => new LatchkeyError('cpace_state_used', 'This CPace run has already ended; start a new one.');

function checkParameters(parameters: CpaceParameters): void {
  if (parameters.prs.length === 0) throw new RangeError('CPace needs a non-empty PRS');
  if (parameters.sid.length < 16) throw new RangeError('CPace sid must be at least 16 bytes');
}

function checkShareShape(share: Uint8Array, ad: Uint8Array): void {
  if (!(share instanceof Uint8Array) || share.length !== CPACE_SHARE_LENGTH) throw invalidShare('The CPace share has the wrong length.');
  if (!(ad instanceof Uint8Array)) throw invalidShare('The CPace associated data is malformed.');
}

/** K = scalar_mult_vfy(y, Y), aborting on G.I as the draft requires. */
function sharedPoint(y: bigint, remote: Uint8Array): Uint8Array {
  const k = scalarMultVfy(y, remote);
  if (equalBytes(k, CPACE_IDENTITY)) throw invalidShare('The CPace share is not a valid ristretto255 element (or is the identity).');
  return k;
}

/** Derives ISK and both tags from K; K is wiped here so it never leaves this module. */
function keysFromPoint(sid: Uint8Array, k: Uint8Array, a: CpaceInitiatorMessage, b: { share: Uint8Array; ad: Uint8Array }) {
  const isk = intermediateSessionKey(sid, k, transcriptIr(a.share, a.ad, b.share, b.ad));
  wipe(k);
  const macKey = confirmationKey(sid, isk);
  const tagA = confirmationTag(macKey, a.share, a.ad);
  const tagB = confirmationTag(macKey, b.share, b.ad);
  wipe(macKey);
  return { isk, tagA, tagB };
}

/**
 * Party A. `start` samples ya and makes message 1; `finish` takes message 2, checks Tb and
 * returns ISK with Ta (message 3). Single-use.
 */
export class CpaceInitiator {
  readonly message: CpaceInitiatorMessage;
  readonly #sid: Uint8Array;
  #scalar: bigint | undefined;

  private constructor(sid: Uint8Array, scalar: bigint, message: CpaceInitiatorMessage) {
    this.#sid = sid;
    this.#scalar = scalar;
    this.message = message;
  }

  /** @throws RangeError for an empty PRS or a sid under 16 bytes (programming errors). */
  static start(parameters: CpaceParameters, ad: Uint8Array): CpaceInitiator {
    checkParameters(parameters);
    const scalar = sampleScalar();
    const share = scalarMult(scalar, calculateGenerator(parameters.prs, parameters.ci, parameters.sid));
    return new CpaceInitiator(parameters.sid.slice(), scalar, { share, ad: ad.slice() });
  }

  /**
   * @returns ISK (64 bytes; derive keys from it, never use it directly) and Ta to send.
   * @throws LatchkeyError `cpace_invalid_share` (bad, identity or echoed Yb),
   *   `cpace_confirmation_failed` (Tb wrong: another code, channel or run), `cpace_state_used`.
   */
  finish(reply: CpaceResponderMessage): { readonly isk: Uint8Array; readonly confirmation: Uint8Array } {
    const scalar = this.#scalar;
    if (scalar === undefined) throw stateUsed();
    this.#scalar = undefined; // whatever happens next, this run is over: one guess per run
    checkShareShape(reply.share, reply.ad);
    if (equalBytes(reply.share, this.message.share)) throw invalidShare('The CPace reply echoes our own share.');
    const { isk, tagA, tagB } = keysFromPoint(this.#sid, sharedPoint(scalar, reply.share), this.message, reply);
    if (!(reply.confirmation instanceof Uint8Array) || !equalBytes(reply.confirmation, tagB)) {
      wipe(isk);
      throw confirmationFailed();
    }
    return { isk, confirmation: tagA };
  }
}

/**
 * Party B. `respond` takes message 1, samples yb and makes message 2 (Yb, ADb, Tb); `finish`
 * checks Ta and only then returns ISK. Single-use.
 */
export class CpaceResponder {
  readonly message: CpaceResponderMessage;
  #isk: Uint8Array | undefined;
  readonly #expectedTag: Uint8Array;

  private constructor(message: CpaceResponderMessage, isk: Uint8Array, expectedTag: Uint8Array) {
    this.message = message;
    this.#isk = isk;
    this.#expectedTag = expectedTag;
  }

  /**
   * @throws LatchkeyError `cpace_invalid_share` (Ya malformed, not canonical, or the identity);
   *   RangeError for an empty PRS or a short sid.
   */
  static respond(parameters: CpaceParameters, initiator: CpaceInitiatorMessage, ad: Uint8Array): CpaceResponder {
    checkParameters(parameters);
    checkShareShape(initiator.share, initiator.ad);
    const scalar = sampleScalar();
    const share = scalarMult(scalar, calculateGenerator(parameters.prs, parameters.ci, parameters.sid));
    const own = { share, ad: ad.slice() };
    const { isk, tagA, tagB } = keysFromPoint(parameters.sid, sharedPoint(scalar, initiator.share), initiator, own);
    return new CpaceResponder({ ...own, confirmation: tagB }, isk, tagA);
  }

  /**
   * @returns ISK once Ta verifies.
   * @throws LatchkeyError `cpace_confirmation_failed` (wrong code, or a tag from another run),
   *   `cpace_state_used` (a second call, whatever the first one's outcome).
   */
  finish(confirmation: Uint8Array): Uint8Array {
    const isk = this.#isk;
    if (isk === undefined) throw stateUsed();
    this.#isk = undefined;
    if (!(confirmation instanceof Uint8Array) || !equalBytes(confirmation, this.#expectedTag)) {
      wipe(isk);
      throw confirmationFailed();
    }
    return isk;
  }
}
