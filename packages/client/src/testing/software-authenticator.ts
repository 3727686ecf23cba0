/**
 * A software WebAuthn authenticator for Node tests (ES256, `none` attestation, discoverable
 * credentials, user verification): what `navigator.credentials.create/get` return in a browser,
 * as the JSON @simplewebauthn/browser gives the server. Real signatures over real authenticator
 * data, so the server's verification runs as it does for a hardware key.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { PasskeyAuthenticator } from '../passkeys.ts';

type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor> | { [key: string]: Cbor };

function head(major: number, value: number): Uint8Array {
  if (value < 24) return Uint8Array.of((major << 5) | value);
  if (value < 0x100) return Uint8Array.of((major << 5) | 24, value);
  if (value < 0x10000) return Uint8Array.of((major << 5) | 25, value >> 8, value & 0xff);
  return Uint8Array.of((major << 5) | 26, (value >>> 24) & 0xff, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff);
}

/** The little CBOR WebAuthn needs: integers, byte and text strings, arrays, maps. */
function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return Buffer.from(value >= 0 ? head(0, value) : head(1, -1 - value));
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cbor)]);
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

interface Credential {
  readonly id: Buffer;
  readonly privateKey: KeyObject;
  readonly userHandle: string;
  readonly rpId: string;
  counter: number;
}

export interface SoftwareAuthenticatorOptions {
  /** The origin the "browser" runs at (the server's public URL). */
  readonly origin: string;
  /** Set the UV flag (default true); false imitates an authenticator that skipped user verification. */
  readonly userVerification?: boolean;
}

export class SoftwareAuthenticator implements PasskeyAuthenticator {
  readonly credentials: Credential[] = [];
  constructor(private readonly options: SoftwareAuthenticatorOptions) {}

  private flags(extra: number): number {
    return 0x01 | (this.options.userVerification === false ? 0 : 0x04) | extra;
  }

  async create(options: Record<string, unknown>): Promise<Record<string, unknown>> {
    const rp = options.rp as { id: string };
    const user = options.user as { id: string };
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const id = sha256(`${b64(sha256(String(Math.random())))}${this.credentials.length}`).subarray(0, 16);
    const credential: Credential = { id, privateKey, userHandle: user.id, rpId: rp.id, counter: 0 };
    this.credentials.push(credential);
    const coseKey = new Map<Cbor, Cbor>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]);
    const counter = Buffer.alloc(4);
    const authData = Buffer.concat([
      sha256(rp.id),
      Buffer.of(this.flags(0x40)),
      counter,
      Buffer.alloc(16),
      Buffer.of(id.length >> 8, id.length & 0xff),
      id,
      cbor(coseKey),
    ]);
    const clientDataJSON = JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin: this.options.origin, crossOrigin: false });
    return {
      id: b64(id),
      rawId: b64(id),
      type: 'public-key',
      clientExtensionResults: { credProps: { rk: true } },
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: b64(clientDataJSON),
        attestationObject: b64(cbor({ fmt: 'none', attStmt: {}, authData })),
        transports: ['internal'],
      },
    };
  }

  /** Answers with the newest discoverable credential for the relying party (or the one named in `allowCredentials`). */
  async get(options: Record<string, unknown>): Promise<Record<string, unknown>> {
    const rpId = String(options.rpId);
    const allowed = ((options.allowCredentials as { id: string }[] | undefined) ?? []).map((c) => c.id);
    const credential = [...this.credentials].reverse().find((c) => c.rpId === rpId && (allowed.length === 0 || allowed.includes(b64(c.id))));
    if (credential === undefined) throw new Error('NotAllowedError: no credential for this relying party');
    return this.assert(credential, String(options.challenge));
  }

  /** An assertion by `credential` over `challenge`, counting up. */
  assert(credential: Credential, challenge: string): Record<string, unknown> {
    credential.counter += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(credential.counter);
    const authData = Buffer.concat([sha256(credential.rpId), Buffer.of(this.flags(0)), counter]);
    const clientDataJSON = JSON.stringify({ type: 'webauthn.get', challenge, origin: this.options.origin, crossOrigin: false });
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), { key: credential.privateKey, dsaEncoding: 'der' });
    return {
      id: b64(credential.id),
      rawId: b64(credential.id),
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: { clientDataJSON: b64(clientDataJSON), authenticatorData: b64(authData), signature: b64(signature), userHandle: credential.userHandle },
    };
  }
}
