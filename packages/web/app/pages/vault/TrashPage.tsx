/**
 * One vault's Trash (docs/protocol.md §8.4): what was deleted in the last 30 days, each with
 * Restore (and Delete for good), and Empty Trash after a confirmation that says it cannot be
 * undone. Route `/vaults/ID/trash`. A vault shared to view shows its Trash without the buttons.
 */
import { useCallback, useEffect, useState } from 'react';
import type { TrashedItem, Vault } from '@latchkey/client/client';
import { useApp } from '../../app-context.tsx';
import { formatDateTime } from '../../dates.ts';
import { describeError } from '../../errors.ts';
import { ErrorMessage, PageHeading, Progress } from '../../components/ui.tsx';
import { useAsyncAction } from '../../components/useAsyncAction.ts';

const DAY_MS = 24 * 3600_000;
const daysLeft = (item: TrashedItem) => Math.max(0, Math.ceil((Date.parse(item.deletedAt) + 30 * DAY_MS - Date.now()) / DAY_MS));

export function TrashPage({ vaultId }: { vaultId: string }) {
  const { latchkey, navigate, handleSignedOut } = useApp();
  const [vault, setVault] = useState<Vault>();
  const [items, setItems] = useState<TrashedItem[]>();
  const [loadError, setLoadError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [confirmingEmpty, setConfirmingEmpty] = useState(false);
  const action = useAsyncAction();

  const reload = useCallback(async () => {
    try {
      const vaults = await latchkey.client.vaults.list();
      const found = vaults.find((v) => v.id === vaultId);
      if (found === undefined) throw new Error('This vault is not among yours.');
      setVault(found);
      setItems(await latchkey.client.items.trash(found.id));
      setLoadError(undefined);
    } catch (e) {
      if (!handleSignedOut(e)) setLoadError(describeError(e));
    }
  }, [latchkey, vaultId, handleSignedOut]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const canChange = vault !== undefined && vault.access !== 'view';

  const restore = (item: TrashedItem) =>
    action.run(
      async () => {
        await latchkey.client.items.restore(item.vaultId, item.id, item);
        setNotice(`Restored “${item.title}”.`);
        await reload();
      },
      { idleAfter: true },
    );

  const purge = (item: TrashedItem) =>
    action.run(
      async () => {
        await latchkey.client.items.purge(item.vaultId, item.id, item);
        setNotice(`Deleted “${item.title}” for good.`);
        await reload();
      },
      { idleAfter: true },
    );

  const empty = () =>
    action.run(
      async () => {
        const purged = await latchkey.client.items.emptyTrash(vault!.id);
        setConfirmingEmpty(false);
        setNotice(`Emptied the Trash: ${purged} ${purged === 1 ? 'item' : 'items'} deleted for good.`);
        await reload();
      },
      { idleAfter: true },
    );

  return (
    <main className="trash-page">
      <p className="back-link">
        <a
          href="/"
          onClick={(e) => {
            e.preventDefault();
            navigate('/');
          }}
        >
          ← All items
        </a>
      </p>
      <PageHeading documentTitle="Trash">{vault ? `Trash of ${vault.name}` : 'Trash'}</PageHeading>
      <p className="hint">Deleted items stay here for 30 days, then they are deleted for good.</p>
      <ErrorMessage message={loadError}>
        <button type="button" className="secondary" onClick={() => void reload()}>
          Try again
        </button>
      </ErrorMessage>
      <ErrorMessage message={action.error} />
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      {items === undefined && loadError === undefined ? <Progress text="Decrypting the Trash…" /> : null}
      <Progress text={action.busy ? 'Working…' : undefined} />
      {items !== undefined ? (
        items.length === 0 ? (
          <p>The Trash is empty.</p>
        ) : (
          <>
            <ul className="item-list trash-list">
              {items.map((item) => (
                <li key={item.id}>
                  <div className="trash-entry">
                    <span className="item-title">{item.title}</span>
                    <span className="item-sub">
                      {item.username ? `${item.username} · ` : ''}deleted {formatDateTime(item.deletedAt)} · {daysLeft(item)} days left
                    </span>
                  </div>
                  {canChange ? (
                    <div className="actions">
                      <button type="button" onClick={() => void restore(item)} disabled={action.busy} aria-label={`Restore ${item.title}`}>
                        Restore
                      </button>
                      <button
                        type="button"
                        className="danger secondary"
                        onClick={() => void purge(item)}
                        disabled={action.busy}
                        aria-label={`Delete for good: ${item.title}`}
                      >
                        Delete for good
                      </button>
                    </div>
                  ) : null}
                </li>
              ))}
            </ul>
            {!canChange ? (
              <p className="hint">Shared with you to view: only people with edit access restore or delete these items.</p>
            ) : confirmingEmpty ? (
              // biome-ignore lint/a11y/useSemanticElements: two buttons and a question, not form fields: a fieldset would be read as a form.
              <div className="confirm" role="group" aria-label="Confirm emptying the Trash">
                <p>
                  Delete all {items.length} {items.length === 1 ? 'item' : 'items'} in the Trash for good? This cannot be undone.
                </p>
                <div className="actions">
                  <button type="button" className="danger" onClick={() => void empty()} disabled={action.busy}>
                    Delete them for good
                  </button>
                  {/* biome-ignore lint/a11y/noAutofocus: focus moves into the confirmation the person just asked for, onto the safe choice. */}
                  <button type="button" className="secondary" onClick={() => setConfirmingEmpty(false)} disabled={action.busy} autoFocus>
                    Keep them
                  </button>
                </div>
              </div>
            ) : (
              <div className="actions">
                <button type="button" className="danger secondary" onClick={() => setConfirmingEmpty(true)} disabled={action.busy}>
                  Empty Trash
                </button>
              </div>
            )}
          </>
        )
      ) : null}
    </main>
  );
}
