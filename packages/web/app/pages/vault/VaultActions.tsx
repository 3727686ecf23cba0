/**
 * Rename and delete the vault shown (docs/protocol.md §8.6). Renaming is a one-field form (the
 * owner, or someone it is shared with to manage). Deleting (the owner, never the Personal vault)
 * first says what goes, from the SDK's plan: the items and the Trash by title, who it is shared
 * with, which Recovery Groups hold its key; then the account password (the server wants a fresh
 * re-authentication), then the deletion of exactly that. If the vault changed meanwhile nothing
 * is deleted and the page says so.
 */
import { useState, type FormEvent } from 'react';
import type { Vault as VaultInfo, VaultDeletionPlan } from '@latchkey/client/client';
import { useApp } from '../../app-context.tsx';
import { describeError, errorCode } from '../../errors.ts';
import { ErrorMessage, Field, Progress } from '../../components/ui.tsx';
import { ReauthenticateStep } from '../../components/ReauthenticateStep.tsx';

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

function DeletionSummary({ plan }: { plan: VaultDeletionPlan }) {
  const who = plan.shares.map((s) => s.email ?? s.groupName ?? 'a member').join(', ');
  return (
    <div className="deletion-summary">
      <p>
        <strong>Deleting “{plan.vault.name}” deletes for good, with no Trash to bring them back from:</strong>
      </p>
      <ul>
        <li>
          {count(plan.items.length, 'item')}
          {plan.items.length > 0 ? `: ${plan.items.map((i) => i.title).join(', ')}` : ''}
        </li>
        <li>
          {count(plan.trashed.length, 'item')} in its Trash
          {plan.trashed.length > 0 ? `: ${plan.trashed.map((i) => i.title).join(', ')}` : ''}
        </li>
        {plan.shares.length > 0 ? <li>It is shared with {who}: they lose it too.</li> : null}
        {plan.recoverableBy.map((r) => (
          <li key={r.organizationId}>{r.name}’s Recovery Group holds its key: that copy is deleted too.</li>
        ))}
      </ul>
      {plan.items.length > 0 ? <p className="hint">To keep an item, open it and move it to another vault first.</p> : null}
    </div>
  );
}

export function VaultActions({
  vault,
  onRenamed,
  onDeleted,
}: {
  vault: VaultInfo;
  onRenamed: () => Promise<void>;
  onDeleted: (message: string) => Promise<void>;
}) {
  const { latchkey, handleSignedOut } = useApp();
  const [mode, setMode] = useState<'idle' | 'rename' | 'delete'>('idle');
  const [name, setName] = useState(vault.name);
  const [plan, setPlan] = useState<VaultDeletionPlan>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const canRename = vault.access === 'owner' || vault.access === 'manage';
  const canDelete = vault.access === 'owner' && vault.kind !== 'personal';
  if (!canRename && !canDelete) return null;

  const close = () => {
    setMode('idle');
    setPlan(undefined);
    setError(undefined);
    setBusy(false);
  };

  const rename = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await latchkey.client.vaults.rename(vault.id, name.trim());
      await onRenamed();
      close();
    } catch (e) {
      setBusy(false);
      if (!handleSignedOut(e)) setError(describeError(e));
    }
  };

  const startDelete = async () => {
    setMode('delete');
    setBusy(true);
    setError(undefined);
    try {
      setPlan(await latchkey.client.vaults.describeDeletion(vault.id));
    } catch (e) {
      if (!handleSignedOut(e)) setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  if (mode === 'rename') {
    return (
      <form className="inline-form" onSubmit={(e) => void rename(e)} aria-label={`Rename ${vault.name}`}>
        <Field label={`New name for ${vault.name}`} required autoFocus maxLength={200} value={name} onChange={setName} />
        <ErrorMessage message={error} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Rename vault
          </button>
          <button type="button" className="secondary" onClick={close}>
            Cancel
          </button>
        </div>
      </form>
    );
  }
  if (mode === 'delete') {
    return (
      // biome-ignore lint/a11y/useSemanticElements: a summary and a password step, not one form: a fieldset would be read as one.
      <div className="confirm" role="group" aria-label={`Delete ${vault.name}`}>
        <Progress text={busy && plan === undefined ? 'Listing what the vault holds…' : undefined} />
        <ErrorMessage message={error}>
          <button type="button" className="secondary" onClick={close}>
            Back
          </button>
        </ErrorMessage>
        {plan !== undefined ? (
          <ReauthenticateStep
            why={
              <>
                <DeletionSummary plan={plan} />
                <p>Enter your account password to delete the vault.</p>
              </>
            }
            action="Delete vault for good"
            busyText="Deleting the vault…"
            danger
            describe={(e) =>
              errorCode(e) === 'conflict'
                ? 'The vault changed since this list was made (an item or a share was added on another device). Nothing was deleted: look again.'
                : describeError(e)
            }
            onCancel={close}
            run={async () => {
              const deleted = await latchkey.client.vaults.delete(plan);
              await onDeleted(`Deleted the vault “${plan.vault.name}” and ${count(deleted, 'item')}.`);
            }}
          />
        ) : null}
      </div>
    );
  }
  return (
    <>
      {canRename ? (
        <button type="button" className="secondary" onClick={() => setMode('rename')}>
          Rename {vault.name}
        </button>
      ) : null}
      {canDelete ? (
        <button type="button" className="danger secondary" onClick={() => void startDelete()}>
          Delete {vault.name}
        </button>
      ) : null}
    </>
  );
}
