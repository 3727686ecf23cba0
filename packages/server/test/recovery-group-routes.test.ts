/**
 * The Recovery Group and escrowed vault keys over HTTP (docs/protocol.md §22.8), SQLite and
 * PostgreSQL, with the client side done by the core functions: the group is wrapped to exactly
 * the holders of a Recovery Group role; confirming a holder needs every kept version wrapped to
 * them; the ordinary group and share routes cannot change it; removing a holder leaves a re-key
 * that keeps older versions; an escrow is accepted only from the vault's owner, a confirmed
 * member, to the current version, signed by their keyset; and what is stored is sealed with the
 * keyring, never the wrap itself, and never handed back.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addGroupMember as wrapGroupVersion, createGroupKeyset } from '@latchkey/core/group-keyset';
import { keysetRecipient, keysetSigner, type Keyset } from '@latchkey/core/keyset';
import type { MemberAcceptance } from '@latchkey/core/member-acceptance';
import { escrowVaultKey } from '@latchkey/core/recovery-escrow';
import { wrapVaultKey } from '@latchkey/core/vault-key';
import { type RawResponse, expectApiError, send, signUpUser, startTestServer, type TestServer } from '@latchkey/server/testing';
import { loadServerKeyring, type ServerKeyring } from '../src/security/server-keys.ts';
import { resealEscrows } from '../src/services/recovery-group.ts';
import type { OrganizationRole } from '../src/storage/organization-schema.ts';
import {
  acceptedMember,
  addMember,
  confirmBody,
  createHttpOrganization,
  escrowBody,
  groupBody,
  type HttpOrganization,
  type OrgPerson,
  organizationKeyWrapFor,
  orgPerson,
  recoveryGroupBody,
  recoveryHolders,
  sharedVaultOf,
} from './helpers/org-http.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(() => server?.close());

const person = async () => orgPerson(server, await signUpUser(server));
const api = (method: string, path: string, who: OrgPerson, body?: unknown) =>
  send(server, { method, path, token: who.token, ...(body === undefined ? {} : { body }) });
const ok = (res: RawResponse, status = 200) => {
  expect(res.status, res.text).toBe(status);
  return res.json as Record<string, unknown>;
};
const db = () => server.running.context.db;
const orgUrl = (org: HttpOrganization, rest = '') => `/api/organizations/${org.id}${rest}`;

interface RecoveryVersion {
  readonly keyVersion: number;
  readonly keyset: Keyset;
}

/** The confirmer's client for a Recovery Group role: the certificate, the organization key and every kept Recovery Group version. */
async function confirmHolderBody(
  org: HttpOrganization,
  groupId: string,
  who: OrgPerson,
  role: OrganizationRole,
  acceptance: MemberAcceptance,
  versions: readonly RecoveryVersion[],
) {
  const base = await confirmBody(org, who, role, acceptance);
  const recoveryGroupWraps = [];
  for (const v of versions)
    recoveryGroupWraps.push({
      keyVersion: v.keyVersion,
      wrap: await wrapGroupVersion({ organizationId: org.id, keyset: org.keyset }, { groupId, keyVersion: v.keyVersion, keyset: v.keyset }, who.member),
    });
  return { ...base, recoveryGroupWraps };
}

/** A member's acceptance as the server stores it. */
async function acceptanceOf(who: OrgPerson): Promise<MemberAcceptance> {
  const row = await db().selectFrom('memberships').select('acceptance').where('user_id', '=', who.id).executeTakeFirstOrThrow();
  return row.acceptance;
}

const recipientOf = (version: RecoveryVersion) => ({
  keyVersion: version.keyVersion,
  keysetId: version.keyset.id,
  publicKey: version.keyset.encryption.publicKey,
});

describe('the Recovery Group of a team', () => {
  let owner: OrgPerson;
  let admin: OrgPerson;
  let rescuer: OrgPerson;
  let member: OrgPerson;
  let team: HttpOrganization;
  let groupId: string;
  let v1: RecoveryVersion;
  let v2: RecoveryVersion;
  beforeAll(async () => {
    [owner, admin, rescuer, member] = [await person(), await person(), await person(), await person()];
    team = await createHttpOrganization(server, owner, 'team');
    await addMember(server, team, admin, 'admin');
    await addMember(server, team, rescuer, 'recovery_admin');
    await addMember(server, team, member, 'member');
  }, 60_000);

  it('is created wrapped to exactly the owners and recovery admins, once', async () => {
    const holders = await recoveryHolders(server, team);
    expect(holders.map((h) => h.userId).sort()).toEqual([owner.id, rescuer.id].sort());
    // Missing a holder, or with an admin or a member in it: refused, nothing stored.
    const missing = await recoveryGroupBody(server, team, [owner.member]);
    expectApiError(await api('POST', orgUrl(team, '/recovery-group'), owner, missing.body), 'invalid_request');
    const extra = await recoveryGroupBody(server, team, [...holders, admin.member]);
    expectApiError(await api('POST', orgUrl(team, '/recovery-group'), owner, extra.body), 'invalid_request');
    // An admin holds the organization key but not the Recovery Group: they may not make it.
    const byAdmin = await recoveryGroupBody(server, team);
    expectApiError(await api('POST', orgUrl(team, '/recovery-group'), admin, byAdmin.body), 'forbidden');
    expect(await db().selectFrom('groups').select('id').where('organization_id', '=', team.id).where('kind', '=', 'recovery').execute()).toEqual([]);

    const { body, version } = await recoveryGroupBody(server, team);
    expect(ok(await api('POST', orgUrl(team, '/recovery-group'), rescuer, body), 201)).toEqual({ id: body.id, keyVersion: 1 });
    groupId = body.id;
    v1 = version;
    const again = await recoveryGroupBody(server, team);
    expectApiError(await api('POST', orgUrl(team, '/recovery-group'), owner, again.body), 'already_exists');

    const read = ok(await api('GET', orgUrl(team, '/recovery-group'), owner));
    expect(read).toMatchObject({ id: groupId, keyVersion: 1 });
    expect((read.members as string[]).sort()).toEqual([owner.id, rescuer.id].sort());
    expect((read.versions as Array<{ keyVersion: number; keyWrap?: unknown }>).map((v) => [v.keyVersion, v.keyWrap !== undefined])).toEqual([[1, true]]);
    expectApiError(await api('GET', orgUrl(team, '/recovery-group'), admin), 'not_found');
    expectApiError(await api('GET', orgUrl(team, '/recovery-group'), member), 'not_found');
  });

  it('cannot be changed through the ordinary group and share routes', async () => {
    const newcomer = await person();
    await addMember(server, team, newcomer, 'member');
    const wrap = await wrapGroupVersion({ organizationId: team.id, keyset: team.keyset }, { groupId, keyVersion: 1, keyset: v1.keyset }, newcomer.member);
    expectApiError(await api('POST', orgUrl(team, `/groups/${groupId}/members`), owner, { userId: newcomer.id, keyVersion: 1, wrap }), 'forbidden');
    const next = await createGroupKeyset({ organizationId: team.id, keyset: team.keyset }, groupId, 2, [owner.member]);
    expectApiError(
      await api('POST', orgUrl(team, `/groups/${groupId}/rekey`), owner, {
        fromKeyVersion: 1,
        keyset: next.sealed,
        certificate: next.certificate,
        removeUserIds: [rescuer.id],
        members: next.wraps,
        vaultShares: [],
      }),
      'forbidden',
    );
    expectApiError(await api('DELETE', orgUrl(team, `/groups/${groupId}`), owner), 'forbidden');
    const vault = await sharedVaultOf(server, owner);
    const share = {
      id: crypto.randomUUID(),
      organizationId: team.id,
      recipient: { groupId },
      role: 'view',
      wrap: await wrapVaultKey(vault.raw, vault.id, keysetRecipient(v1.keyset), keysetSigner(owner.keyset)),
    };
    expectApiError(await api('POST', `/api/vaults/${vault.id}/shares`, owner, share), 'invalid_request');
    // Creating an ordinary group still works, and never makes a second Recovery Group.
    ok(await api('POST', orgUrl(team, '/groups'), owner, (await groupBody(team, [owner])).body), 201);
    const kinds = await db().selectFrom('groups').select('kind').where('organization_id', '=', team.id).execute();
    expect(kinds.filter((k) => k.kind === 'recovery')).toHaveLength(1);
    expect(await db().selectFrom('group_memberships').select('user_id').where('group_id', '=', groupId).where('user_id', '=', newcomer.id).execute()).toEqual(
      [],
    );
  });

  it('confirming a recovery admin needs every kept version wrapped to them; a member gets none', async () => {
    const second = await person();
    const acceptance = await acceptedMember(server, team, second, 'recovery_admin');
    const withoutWraps = await confirmBody(team, second, 'recovery_admin', acceptance);
    expectApiError(await api('POST', orgUrl(team, `/members/${second.id}/confirm`), owner, withoutWraps), 'invalid_request');
    const wrongVersion = await confirmHolderBody(team, groupId, second, 'recovery_admin', acceptance, [{ ...v1, keyVersion: 2 }]);
    expectApiError(await api('POST', orgUrl(team, `/members/${second.id}/confirm`), owner, wrongVersion), 'invalid_request');
    expect((await db().selectFrom('memberships').select('status').where('user_id', '=', second.id).executeTakeFirstOrThrow()).status).toBe('accepted');
    ok(
      await api(
        'POST',
        orgUrl(team, `/members/${second.id}/confirm`),
        owner,
        await confirmHolderBody(team, groupId, second, 'recovery_admin', acceptance, [v1]),
      ),
    );
    const read = ok(await api('GET', orgUrl(team, '/recovery-group'), second));
    expect((read.versions as Array<{ keyWrap?: unknown }>)[0]?.keyWrap).toBeDefined();

    const plain = await person();
    const plainAcceptance = await acceptedMember(server, team, plain, 'member');
    const tooMuch = await confirmHolderBody(team, groupId, plain, 'member', plainAcceptance, [v1]);
    expectApiError(await api('POST', orgUrl(team, `/members/${plain.id}/confirm`), owner, tooMuch), 'invalid_request');
    ok(await api('POST', orgUrl(team, `/members/${plain.id}/confirm`), owner, await confirmBody(team, plain, 'member', plainAcceptance)));
  });

  describe('escrows', () => {
    it('accepts one from the owner of the vault, a confirmed member, and reports it at the current version', async () => {
      const vault = await sharedVaultOf(server, member);
      const before = ok(await api('GET', '/api/recovery-status', member)).organizations as Array<Record<string, unknown>>;
      expect(before).toEqual([
        expect.objectContaining({
          organizationId: team.id,
          role: 'member',
          recoveryGroup: expect.objectContaining({ id: groupId, keyVersion: 1 }),
          escrowedVaultIds: [],
        }),
      ]);
      const body = await escrowBody(vault, member, recipientOf(v1));
      expect(ok(await api('PUT', `/api/vaults/${vault.id}/recovery-escrows/${team.id}`, member, body))).toEqual({ escrowed: true, keyVersion: 1 });
      // Idempotent: the same escrow again replaces it.
      ok(await api('PUT', `/api/vaults/${vault.id}/recovery-escrows/${team.id}`, member, body));
      const after = ok(await api('GET', '/api/recovery-status', member)).organizations as Array<{ escrowedVaultIds: string[] }>;
      expect(after[0]?.escrowedVaultIds).toEqual([vault.id]);

      // The stored row is the wrap sealed with the keyring, bound to vault and organization: not the wrap.
      const row = await db().selectFrom('recovery_escrow').selectAll().where('vault_id', '=', vault.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ organization_id: team.id, recovery_key_version: 1 });
      expect(JSON.stringify(row)).not.toContain(body.wrap.ciphertext);
      expect(JSON.stringify(row)).not.toContain(body.wrap.signature);
      const keyring = server.running.context.keyring;
      const opened = JSON.parse(new TextDecoder().decode(await keyring.open(row.sealed_wrap, 'recovery-escrow', { vault: vault.id, organization: team.id })));
      expect(opened).toEqual(body.wrap);
      await expect(keyring.open(row.sealed_wrap, 'recovery-escrow', { vault: vault.id, organization: crypto.randomUUID() })).rejects.toThrow();
      await expect(keyring.open(row.sealed_wrap, 'totp-secret', { vault: vault.id, organization: team.id })).rejects.toThrow();
      // No response of any route carries it.
      for (const [path, who] of [
        ['/api/vaults', member],
        ['/api/shared-vaults', member],
        ['/api/recovery-status', member],
        [orgUrl(team, '/recovery-group'), owner],
        [orgUrl(team, `/groups/${groupId}`), owner],
        [orgUrl(team, '/log'), owner],
      ] as const) {
        const text = (await api('GET', path, who)).text;
        expect(text.includes(body.wrap.ciphertext) || text.includes(row.sealed_wrap), path).toBe(false);
      }
    });

    it('is re-sealed under the new current key after a keyring rotation, and still opens to the same wrap', async () => {
      const vault = await sharedVaultOf(server, member);
      const body = await escrowBody(vault, member, recipientOf(v1));
      ok(await api('PUT', `/api/vaults/${vault.id}/recovery-escrows/${team.id}`, member, body));
      const ctx = server.running.context;
      const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-escrow-keys-'));
      let rotated: ServerKeyring | undefined;
      try {
        const file = path.join(dir, 'server-keys.json');
        const old = JSON.parse(await readFile(ctx.config.serverKeysFile, 'utf8')) as { current: string; keys: Record<string, string> };
        await writeFile(file, JSON.stringify({ current: 'rotated', keys: { ...old.keys, rotated: randomBytes(32).toString('base64url') } }), { mode: 0o600 });
        rotated = await loadServerKeyring(file);
        const count = await resealEscrows({ ...ctx, keyring: rotated });
        expect(count).toBeGreaterThan(0);
        const row = await db().selectFrom('recovery_escrow').select('sealed_wrap').where('vault_id', '=', vault.id).executeTakeFirstOrThrow();
        expect(row.sealed_wrap.startsWith('rotated.')).toBe(true);
        const opened = await rotated.open(row.sealed_wrap, 'recovery-escrow', { vault: vault.id, organization: team.id });
        expect(JSON.parse(new TextDecoder().decode(opened))).toEqual(body.wrap);
        expect(await resealEscrows({ ...ctx, keyring: rotated })).toBe(0);
      } finally {
        // Back under the server's own key (opened with the rotated keyring, which knows both), so the rest of the suite reads what it expects.
        if (rotated !== undefined) {
          const back = rotated;
          await resealEscrows({ ...ctx, keyring: { ...ctx.keyring, open: (sealed, purpose, binding) => back.open(sealed, purpose, binding) } });
        }
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('refuses anyone but the vault owner: another member, an outsider, an unconfirmed member', async () => {
      const vault = await sharedVaultOf(server, owner);
      const byOwner = await escrowBody(vault, owner, recipientOf(v1));
      // Another confirmed member, signing with their own keyset, for the owner's vault.
      expectApiError(
        await api('PUT', `/api/vaults/${vault.id}/recovery-escrows/${team.id}`, member, await escrowBody(vault, member, recipientOf(v1))),
        'not_found',
      );
      const outsider = await person();
      const outsidersVault = await sharedVaultOf(server, outsider);
      expectApiError(
        await api('PUT', `/api/vaults/${outsidersVault.id}/recovery-escrows/${team.id}`, outsider, await escrowBody(outsidersVault, outsider, recipientOf(v1))),
        'not_found',
      );
      const waiting = await person();
      await acceptedMember(server, team, waiting, 'member');
      const waitingVault = await sharedVaultOf(server, waiting);
      expectApiError(
        await api('PUT', `/api/vaults/${waitingVault.id}/recovery-escrows/${team.id}`, waiting, await escrowBody(waitingVault, waiting, recipientOf(v1))),
        'forbidden',
      );
      expect(
        await db().selectFrom('recovery_escrow').select('vault_id').where('vault_id', 'in', [vault.id, outsidersVault.id, waitingVault.id]).execute(),
      ).toEqual([]);
      ok(await api('PUT', `/api/vaults/${vault.id}/recovery-escrows/${team.id}`, owner, byOwner));
    });

    it('refuses a wrap of another version, recipient, signer, vault or purpose', async () => {
      const vault = await sharedVaultOf(server, member);
      const url = `/api/vaults/${vault.id}/recovery-escrows/${team.id}`;
      const other = await createGroupKeyset({ organizationId: team.id, keyset: team.keyset }, groupId, 1, []);
      const signedWrap = (await escrowBody(vault, member, recipientOf(v1))).wrap;
      const cases: Array<[string, unknown, string]> = [
        ['a version the group is not at', { ...(await escrowBody(vault, member, recipientOf(v1))), keyVersion: 2 }, 'conflict'],
        [
          'a wrap naming version 2 sent as 1',
          { keyVersion: 1, wrap: (await escrowBody(vault, member, { ...recipientOf(v1), keyVersion: 2 })).wrap },
          'invalid_request',
        ],
        [
          'to a keyset the organization never certified',
          await escrowBody(vault, member, recipientOf({ keyVersion: 1, keyset: other.keyset })),
          'invalid_request',
        ],
        ['signed by another keyset', await escrowBody(vault, owner, recipientOf(v1)), 'invalid_request'],
        [
          'of another vault',
          { keyVersion: 1, wrap: await escrowVaultKey(vault.raw, crypto.randomUUID(), recipientOf(v1), keysetSigner(member.keyset)) },
          'invalid_request',
        ],
        [
          'a group-key wrap (another purpose)',
          {
            keyVersion: 1,
            wrap: await wrapGroupVersion({ organizationId: team.id, keyset: member.keyset }, { groupId, keyVersion: 1, keyset: v1.keyset }, member.member),
          },
          'invalid_request',
        ],
        [
          'a format-1 share wrap',
          { keyVersion: 1, wrap: await wrapVaultKey(vault.raw, vault.id, keysetRecipient(v1.keyset), keysetSigner(member.keyset)) },
          'invalid_request',
        ],
        [
          'a signature that does not verify',
          { keyVersion: 1, wrap: { ...signedWrap, signature: `${signedWrap.signature.slice(0, -3)}AAA` } },
          'invalid_request',
        ],
      ];
      const problems: string[] = [];
      for (const [name, body, code] of cases) {
        const res = await api('PUT', url, member, body);
        try {
          expectApiError(res, code as never, name);
        } catch (error) {
          problems.push((error as Error).message);
        }
      }
      expect(problems).toEqual([]);
      expect(await db().selectFrom('recovery_escrow').select('vault_id').where('vault_id', '=', vault.id).execute()).toEqual([]);
    });
  });

  it('removing a holder takes them out; the re-key keeps older versions, wrapped to those who remain; their escrows go', async () => {
    const leaving = await person();
    const acceptance = await acceptedMember(server, team, leaving, 'recovery_admin');
    ok(
      await api(
        'POST',
        orgUrl(team, `/members/${leaving.id}/confirm`),
        owner,
        await confirmHolderBody(team, groupId, leaving, 'recovery_admin', acceptance, [v1]),
      ),
    );
    const theirVault = await sharedVaultOf(server, leaving);
    ok(await api('PUT', `/api/vaults/${theirVault.id}/recovery-escrows/${team.id}`, leaving, await escrowBody(theirVault, leaving, recipientOf(v1))));

    const removed = ok(await api('DELETE', orgUrl(team, `/members/${leaving.id}`), owner));
    expect(removed.groupsToRekey).toContain(groupId);
    expect(await db().selectFrom('group_key_wraps').select('key_version').where('group_id', '=', groupId).where('user_id', '=', leaving.id).execute()).toEqual(
      [],
    );
    expect(await db().selectFrom('recovery_escrow').select('vault_id').where('vault_id', '=', theirVault.id).execute()).toEqual([]);

    const flagged = ok(await api('GET', '/api/recovery-status', owner)).organizations as Array<{ recoveryGroup: { rekeyNeeded: boolean } }>;
    expect(flagged[0]?.recoveryGroup.rekeyNeeded).toBe(true);
    const remaining = await recoveryHolders(server, team);
    expect(remaining.map((m) => m.userId)).not.toContain(leaving.id);
    const next = await createGroupKeyset({ organizationId: team.id, keyset: team.keyset }, groupId, 2, remaining);
    ok(
      await api('POST', orgUrl(team, `/groups/${groupId}/rekey`), owner, {
        fromKeyVersion: 1,
        keyset: next.sealed,
        certificate: next.certificate,
        removeUserIds: [],
        members: next.wraps,
        vaultShares: [],
      }),
    );
    const read = ok(await api('GET', orgUrl(team, '/recovery-group'), rescuer));
    expect(read.keyVersion).toBe(2);
    expect((read.versions as Array<{ keyVersion: number; keyWrap?: unknown }>).map((v) => [v.keyVersion, v.keyWrap !== undefined])).toEqual([
      [1, true],
      [2, true],
    ]);
    // An escrow at version 1 no longer counts as current; a new one goes to version 2 only.
    const status = ok(await api('GET', '/api/recovery-status', member)).organizations as Array<{
      recoveryGroup: { keyVersion: number };
      escrowedVaultIds: string[];
    }>;
    expect(status[0]).toMatchObject({ recoveryGroup: { keyVersion: 2, rekeyNeeded: false }, escrowedVaultIds: [] });
    const vault = await sharedVaultOf(server, member);
    expectApiError(
      await api('PUT', `/api/vaults/${vault.id}/recovery-escrows/${team.id}`, member, await escrowBody(vault, member, recipientOf(v1))),
      'conflict',
    );
    v2 = { keyVersion: 2, keyset: next.keyset };
    ok(await api('PUT', `/api/vaults/${vault.id}/recovery-escrows/${team.id}`, member, await escrowBody(vault, member, recipientOf(v2))));

    // A holder confirmed now gets both versions.
    const late = await person();
    const lateAcceptance = await acceptedMember(server, team, late, 'recovery_admin');
    expectApiError(
      await api(
        'POST',
        orgUrl(team, `/members/${late.id}/confirm`),
        owner,
        await confirmHolderBody(team, groupId, late, 'recovery_admin', lateAcceptance, [v2]),
      ),
      'invalid_request',
    );
    ok(
      await api(
        'POST',
        orgUrl(team, `/members/${late.id}/confirm`),
        owner,
        await confirmHolderBody(team, groupId, late, 'recovery_admin', lateAcceptance, [v1, v2]),
      ),
    );
  });

  it('a role change follows: promotion needs every kept version, demotion takes them out and marks a re-key', async () => {
    const riley = await person();
    await addMember(server, team, riley, 'member');
    const url = orgUrl(team, `/members/${riley.id}/role`);
    const organizationKeyWrap = await organizationKeyWrapFor(team, riley);
    const wrapsOf = async (versions: readonly RecoveryVersion[]) =>
      (await confirmHolderBody(team, groupId, riley, 'recovery_admin', await acceptanceOf(riley), versions)).recoveryGroupWraps;
    expectApiError(await api('POST', url, owner, { from: 'member', role: 'recovery_admin', organizationKeyWrap }), 'invalid_request');
    expectApiError(
      await api('POST', url, owner, { from: 'member', role: 'recovery_admin', organizationKeyWrap, recoveryGroupWraps: await wrapsOf([v2]) }),
      'invalid_request',
    );
    // An admin holds no Recovery Group: wraps for one are refused.
    expectApiError(
      await api('POST', url, owner, { from: 'member', role: 'admin', organizationKeyWrap, recoveryGroupWraps: await wrapsOf([v1, v2]) }),
      'invalid_request',
    );
    expect((await db().selectFrom('memberships').select('role').where('user_id', '=', riley.id).executeTakeFirstOrThrow()).role).toBe('member');
    ok(await api('POST', url, owner, { from: 'member', role: 'recovery_admin', organizationKeyWrap, recoveryGroupWraps: await wrapsOf([v1, v2]) }));
    const held = await db().selectFrom('group_key_wraps').select('key_version').where('group_id', '=', groupId).where('user_id', '=', riley.id).execute();
    expect(held.map((w) => w.key_version).sort()).toEqual([1, 2]);
    ok(await api('POST', url, owner, { from: 'recovery_admin', role: 'admin' }));
    expect(await db().selectFrom('group_key_wraps').select('key_version').where('group_id', '=', groupId).where('user_id', '=', riley.id).execute()).toEqual(
      [],
    );
    expect(await db().selectFrom('group_memberships').select('user_id').where('group_id', '=', groupId).where('user_id', '=', riley.id).execute()).toEqual([]);
    const status = ok(await api('GET', '/api/recovery-status', owner)).organizations as Array<{ recoveryGroup: { rekeyNeeded: boolean } }>;
    expect(status[0]?.recoveryGroup.rekeyNeeded).toBe(true);
  });
});
