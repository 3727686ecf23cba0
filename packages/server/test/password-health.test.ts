/**
 * The password health report through the SDK (docs/protocol.md §8.5): weak, reused (across
 * vaults) and old passwords of what the account can open, computed on
 * the device; items in the Trash are left out; nothing the report needs is sent: the requests
 * it makes are the item listings, and no request body carries a password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkClient, signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { MemoryStore } from '@latchkey/client/local-store';
import { OLD_PASSWORD_DAYS } from '@latchkey/core/password-health';

let server: TestServer;
let user: TestUser;

const REUSED = 'Harbor-Quill-58-lantern';
const db = () => server.running.context.db;

beforeAll(async () => {
  server = await startTestServer();
  user = await signUpUser(server);
});
afterAll(() => server.close());

describe('password health through the SDK', () => {
  it('reports weak, reused and old passwords across vaults, leaving out notes and the Trash', async () => {
    const personal = await user.client.vaults.find('Personal');
    const work = await user.client.vaults.create('Work health');
    const bank = await user.client.items.create(personal.id, { kind: 'login', title: 'Bank', username: 'me', password: 'N8v$Lq2#Zp9@Wm4!Rt6x' });
    const forum = await user.client.items.create(personal.id, { kind: 'login', title: 'Forum', password: 'Password1' });
    const mail = await user.client.items.create(personal.id, { kind: 'login', title: 'Mail', password: REUSED });
    const chat = await user.client.items.create(work.id, { kind: 'password', title: 'Chat', password: REUSED });
    await user.client.items.create(work.id, { kind: 'note', title: 'Alarm code', notes: '1234' });
    const gone = await user.client.items.create(work.id, { kind: 'login', title: 'Deleted', password: 'password' });
    await user.client.items.delete(gone.id);
    // The bank's password was last changed 400 days ago, as far as the server's times go.
    await db()
      .updateTable('items')
      .set({ updated_at: new Date(Date.now() - 400 * 24 * 3600_000) })
      .where('id', '=', bank.id)
      .execute();

    const report = await user.client.passwordHealth();
    expect(report.checked).toBe(4);
    expect(report.weak).toEqual([{ itemId: forum.id, vaultId: personal.id, title: 'Forum', score: 0, reason: 'common' }]);
    expect(report.reused).toEqual([
      {
        items: [
          { itemId: chat.id, vaultId: work.id, title: 'Chat' },
          { itemId: mail.id, vaultId: personal.id, title: 'Mail' },
        ],
      },
    ]);
    expect(report.old).toHaveLength(1);
    expect(report.old[0]).toMatchObject({ itemId: bank.id, title: 'Bank', username: 'me', ageDays: 400 });
    expect(report.old[0]!.ageDays).toBeGreaterThan(OLD_PASSWORD_DAYS);

    // Editing the bank item makes its password look new: without a password history, the item's change is all there is.
    await user.client.items.update(bank.id, { notes: 'new branch' });
    expect((await user.client.passwordHealth()).old).toEqual([]);
    // A password change is in the item's (encrypted) password history: that date counts, whatever the server says of the item's.
    await user.client.items.update(forum.id, { password: 'Quartz-meadow-71-lantern' });
    await db()
      .updateTable('items')
      .set({ updated_at: new Date(Date.now() - 900 * 24 * 3600_000) })
      .where('id', '=', forum.id)
      .execute();
    const afterChange = await user.client.passwordHealth();
    expect(afterChange.old).toEqual([]);
    expect(afterChange.weak).toEqual([]);
    // ... and a later time given to the report ages every password.
    const later = await user.client.passwordHealth({ now: new Date(Date.now() + (OLD_PASSWORD_DAYS + 10) * 24 * 3600_000) });
    expect(later.old.map((o) => o.title).sort()).toEqual(['Bank', 'Chat', 'Forum', 'Mail']);
  });

  it('on a fresh device, only reads from the server (GETs, no bodies, no password in an address), and finds the same', async () => {
    const requests: { url: string; method: string; body: string }[] = [];
    const recording = sdkClient(server.url, {
      store: new MemoryStore(),
      fetch: async (input, init) => {
        requests.push({ url: String(input), method: init?.method ?? 'GET', body: typeof init?.body === 'string' ? init.body : '' });
        return fetch(input, init);
      },
    });
    await recording.signIn({ email: user.email, password: user.password, secretKey: user.secretKey });
    requests.length = 0;
    const report = await recording.passwordHealth();
    expect(report.reused[0]!.items.map((i) => i.title)).toEqual(['Chat', 'Mail']);
    expect(requests.length).toBeGreaterThan(0);
    for (const r of requests) {
      expect(r.method).toBe('GET');
      expect(r.body).toBe('');
      expect(decodeURIComponent(r.url)).not.toContain(REUSED);
    }
  });
});
