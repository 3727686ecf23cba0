/**
 * Moving an item between vaults is atomic across a kill -9 of the server (issue 15, "Must hold";
 * docs/protocol.md §8.7): afterwards the item is in exactly one vault, the old one at the old
 * version or the new one at the new version, with its content intact, and every other item as it
 * was.
 *
 * A real server runs as a child process (`latchkey server`). The user moves one item back and
 * forth between their Personal vault and a Work vault through the SDK, and the server is
 * SIGKILLed at one point of each move: right as the move request is sent, inside the move
 * transaction for certain (the row moved but the security event not yet written, and every write
 * done but before the commit: the server stops at a test pause point and only then is killed), at
 * delays into the request that bisect towards the moment it commits, and after the client got the
 * confirmation. The server is restarted on the same data and a fresh client (no memory of what the
 * device saw) lists both vaults. The moving device then goes on from where the item really is.
 * On SQLite every kill also exercises the embedded database's crash recovery (WAL replay).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultId } from '@latchkey/core/ids';
import { sdkClient, signUpUser, testDatabaseKind } from '@latchkey/server/testing';
import {
  FinishTiming,
  ITEM_FIXTURES,
  type CrashServer,
  fieldsOf,
  fillTwoVaults,
  killDuring,
  type KillPoint,
  type Outcome,
  snapshotItems,
  startCrashServer,
} from './helpers/crash-rounds.ts';

const movePoints = (path: string): readonly KillPoint[] => [
  { label: 'after the client got the confirmation', path, when: 'response', delay: () => 0, allowed: ['new'] },
  { label: 'right as the move request is sent', path, when: 'request', delay: () => 0, allowed: ['old', 'new'] },
  {
    label: 'inside the move transaction (paused: the row moved, the security event not yet written)',
    path,
    when: 'request',
    delay: () => 0,
    pauseAt: 'item-move:moved',
    allowed: ['old'],
  },
  {
    label: 'inside the move transaction, every write done, before the commit (paused)',
    path,
    when: 'request',
    delay: () => 0,
    pauseAt: 'item-move:before-commit',
    allowed: ['old'],
  },
  ...[1, 2, 3].map(
    (i): KillPoint => ({
      label: `while the move request is handled (bisection ${i})`,
      path,
      when: 'request',
      delay: (timing) => timing.bisect(),
      allowed: ['old', 'new'],
    }),
  ),
];

describe(`moving an item is atomic across a SIGKILL of the server (${testDatabaseKind()})`, () => {
  let rig: CrashServer | undefined;
  const summary: string[] = [];

  beforeAll(async () => {
    // The kill switch's own timing is for a fixed path; the move's is per item and measured below.
    rig = await startCrashServer('latchkey-move-crash-', '/api/items/move');
  }, 180_000);

  afterAll(async () => {
    await rig?.stop();
    if (summary.length > 0) console.info(`move crash rounds (${testDatabaseKind()}):\n  ${summary.join('\n  ')}`);
  });

  it('after a crash at any point of a move the item is in exactly one vault, old or new, intact', async () => {
    const { server, killSwitch, dataDir } = rig!;
    const account = await signUpUser({ url: server.url, dataDir }, { name: 'Item Mover', fetch: killSwitch.fetch });
    const device = account.client;
    const before = await fillTwoVaults(device, ITEM_FIXTURES);
    const vaults = await device.vaults.list();
    const personal = vaults.find((v) => v.kind === 'personal')!.id;
    const work = vaults.find((v) => v.name === 'Work')!.id;
    const moving = before.find((i) => i.fields.title === 'Bank')!;
    const others = before.filter((i) => i.id !== moving.id);
    const path = `/api/items/${moving.id}/move`;
    const timing = new FinishTiming(path);
    // The round trip of an undisturbed move there and back, for the bisection's upper bound.
    const timed = async (to: VaultId) => {
      const started = performance.now();
      await device.items.move(moving.id, to);
      return performance.now() - started;
    };
    timing.roundTripMs = Math.min(await timed(moving.vaultId === personal ? work : personal), await timed(moving.vaultId));
    let at: { vaultId: VaultId; version: number } = { vaultId: moving.vaultId, version: moving.version + 2 };

    for (const [round, point] of movePoints(path).entries()) {
      const target = at.vaultId === personal ? work : personal;
      const current = await device.items.get(moving.id);
      expect(current).toMatchObject(at);
      const delayMs = point.delay(timing);
      const { confirmed } = await killDuring(rig!, point, delayMs, undefined, 'move', () => device.items.move(moving.id, target, current));

      // A fresh client, without this device's memory: what the server really holds.
      const fresh = sdkClient(server.url);
      await fresh.signIn({ email: account.email, password: account.password, secretKey: account.secretKey });
      const inPersonal = (await fresh.items.list(personal)).filter((i) => i.id === moving.id);
      const inWork = (await fresh.items.list(work)).filter((i) => i.id === moving.id);
      expect(inPersonal.length + inWork.length, `crash ${point.label}: the item is in ${inPersonal.length + inWork.length} vaults`).toBe(1);
      const found = [...inPersonal, ...inWork][0]!;
      const outcome: Outcome = found.vaultId === target ? 'new' : 'old';
      expect(point.allowed, `crash ${point.label}: the move is ${outcome}`).toContain(outcome);
      if (confirmed) expect(outcome, `crash ${point.label}: the client saw the move confirmed, yet it is undone`).toBe('new');
      expect(found.version).toBe(outcome === 'new' ? at.version + 1 : at.version);
      expect(fieldsOf(found)).toEqual(moving.fields);
      const rest = (await snapshotItems(fresh)).filter((i) => i.id !== moving.id);
      expect(rest).toEqual(others);
      timing.record(point, delayMs, outcome);
      at = { vaultId: found.vaultId, version: found.version };
      summary.push(`round ${round}: kill ${point.label} (+${delayMs.toFixed(1)} ms) -> ${outcome}${confirmed ? ' (confirmed)' : ''}`);
    }
    // The moving device goes on from where the item is, and sees it nowhere else.
    const seen = await snapshotItems(device);
    expect(seen.filter((i) => i.id === moving.id)).toEqual([{ ...moving, ...at }]);
    expect(seen.filter((i) => i.id !== moving.id)).toEqual(others);
  }, 600_000);
});
