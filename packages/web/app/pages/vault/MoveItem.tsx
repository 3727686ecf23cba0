/**
 * "Move to another vault" in the item view (docs/protocol.md §8.7): the vaults this person may
 * write, other than the item's own; the SDK re-encrypts the item under the chosen vault's key and
 * the server moves it in one transaction. A change made elsewhere meanwhile is a conflict, said
 * with a way to reload.
 */
import { useId, useState } from 'react';
import type { Item, Vault as VaultInfo } from '@latchkey/client/client';
import { useApp } from '../../app-context.tsx';
import { describeError, errorCode } from '../../errors.ts';
import { ErrorMessage, Progress } from '../../components/ui.tsx';

export function MoveItem({
  item,
  targets,
  onMoved,
  onReload,
}: {
  item: Item;
  /** Vaults the item may go to: writable, not its own. */
  targets: readonly VaultInfo[];
  onMoved: (moved: Item, message: string) => Promise<void>;
  onReload: () => Promise<void>;
}) {
  const { latchkey, handleSignedOut } = useApp();
  const [open, setOpen] = useState(false);
  const [to, setTo] = useState(targets[0]?.id ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; conflict: boolean }>();
  const selectId = useId();
  if (targets.length === 0) return null;
  if (!open) {
    return (
      <button type="button" className="secondary" onClick={() => setOpen(true)}>
        Move to another vault
      </button>
    );
  }
  const target = targets.find((v) => v.id === to) ?? targets[0]!;
  const move = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const moved = await latchkey.client.items.move(item.id, target.id, item);
      await onMoved(moved, `Moved “${item.title}” to ${target.name}.`);
      setBusy(false);
      setOpen(false);
    } catch (e) {
      setBusy(false);
      if (!handleSignedOut(e)) setError({ message: describeError(e), conflict: errorCode(e) === 'conflict' });
    }
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: one choice and two buttons; the item view is not a form.
    <div className="confirm" role="group" aria-label="Move item">
      <div className="field">
        <label htmlFor={selectId}>Move “{item.title}” to</label>
        <select id={selectId} value={target.id} onChange={(e) => setTo(e.target.value)}>
          {targets.map((v) => (
            <option key={v.id} value={v.id}>
              {v.name}
            </option>
          ))}
        </select>
      </div>
      <p className="hint">It is encrypted again with that vault’s key; whoever can open that vault can read it, and it leaves this one.</p>
      <ErrorMessage message={error?.message}>
        {error?.conflict ? (
          <button type="button" className="secondary" onClick={() => void onReload().then(() => setError(undefined))}>
            Reload item
          </button>
        ) : null}
      </ErrorMessage>
      <Progress text={busy ? 'Moving…' : undefined} />
      <div className="actions">
        <button type="button" onClick={() => void move()} disabled={busy}>
          Move
        </button>
        <button type="button" className="secondary" onClick={() => setOpen(false)} disabled={busy}>
          Cancel
        </button>
      </div>
    </div>
  );
}
