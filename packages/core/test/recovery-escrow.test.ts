/**
 * Escrowed vault keys (`recovery-escrow.ts`): they open only for the Recovery Group version they
 * were made for, only as escrow, only for their vault, and only when the member whose vault it
 * is signed them.
 */
import { describe, expect, it } from 'vitest';
import { createKeyset, keysetRecipient, keysetSigner, keysetTrustedSigner } from '../src/keyset.ts';
import { escrowContext, escrowVaultKey, openEscrowedVaultKey, type RecoveryGroupRecipient } from '../src/recovery-escrow.ts';
import { createVaultKey, unwrapVaultKey, wrapVaultKey } from '../src/vault-key.ts';
import { toBase64Url } from '../src/bytes.ts';
import { sign } from '../src/crypto/ed25519.ts';
import { keyWrapStatement } from '../src/key-wrap.ts';
import { expectLatchkeyError } from './helpers/errors.ts';

async function setting() {
  const member = await createKeyset();
  const other = await createKeyset();
  const recoveryGroup = await createKeyset();
  const version: RecoveryGroupRecipient = { ...keysetRecipient(recoveryGroup), keyVersion: 3 };
  const vaultId = crypto.randomUUID();
  const vaultKey = createVaultKey();
  const wrap = await escrowVaultKey(vaultKey, vaultId, version, keysetSigner(member));
  return { member, other, recoveryGroup, version, vaultId, vaultKey, wrap };
}

describe('vault key escrow to the Recovery Group', () => {
  it('opens with the Recovery Group key when signed by the member, as format 2', async () => {
    const s = await setting();
    expect(s.wrap.version).toBe(2);
    expect(s.wrap.signerKeysetId).toBe(s.member.id);
    const opened = await openEscrowedVaultKey(s.wrap, s.vaultId, s.version, s.recoveryGroup.encryption.privateKey, keysetTrustedSigner(s.member));
    expect(opened).toEqual(s.vaultKey);
  });

  it('refuses a wrap signed by anyone but the member being recovered', async () => {
    const s = await setting();
    const planted = await escrowVaultKey(createVaultKey(), s.vaultId, s.version, keysetSigner(s.other));
    await expectLatchkeyError(
      () => openEscrowedVaultKey(planted, s.vaultId, s.version, s.recoveryGroup.encryption.privateKey, keysetTrustedSigner(s.member)),
      'untrusted_key',
    );
  });

  it('refuses a wrap moved to another vault or presented as another Recovery Group version', async () => {
    const s = await setting();
    const trust = keysetTrustedSigner(s.member);
    const key = s.recoveryGroup.encryption.privateKey;
    await expectLatchkeyError(() => openEscrowedVaultKey(s.wrap, crypto.randomUUID(), s.version, key, trust), 'untrusted_key');
    await expectLatchkeyError(() => openEscrowedVaultKey(s.wrap, s.vaultId, { ...s.version, keyVersion: 4 }, key, trust), 'untrusted_key');
  });

  it('is never accepted as a share of the vault, and a share is never accepted as an escrow', async () => {
    const s = await setting();
    const rgRecipient = keysetRecipient(s.recoveryGroup);
    const trustMember = (id: string) => (id === s.member.id ? keysetTrustedSigner(s.member) : undefined);
    await expectLatchkeyError(() => unwrapVaultKey(s.wrap, s.vaultId, rgRecipient, s.recoveryGroup.encryption.privateKey, trustMember), 'untrusted_key');
    const share = await wrapVaultKey(s.vaultKey, s.vaultId, rgRecipient, keysetSigner(s.member));
    await expectLatchkeyError(
      () => openEscrowedVaultKey(share, s.vaultId, s.version, s.recoveryGroup.encryption.privateKey, keysetTrustedSigner(s.member)),
      'untrusted_key',
    );
    // Even signed as an escrow by the member, a share's ciphertext does not open: the HPKE aad
    // names the purpose and the Recovery Group version.
    const unsigned = { version: 2, recipientKeysetId: s.recoveryGroup.id, ciphertext: share.ciphertext, signerKeysetId: s.member.id };
    const resigned = { ...unsigned, signature: toBase64Url(sign(s.member.signing.secretKey, keyWrapStatement(unsigned, escrowContext(s.vaultId, s.version)))) };
    await expectLatchkeyError(
      () => openEscrowedVaultKey(resigned, s.vaultId, s.version, s.recoveryGroup.encryption.privateKey, keysetTrustedSigner(s.member)),
      'decryption_failed',
    );
  });
});
