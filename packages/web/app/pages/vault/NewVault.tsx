/** "New vault": a button that opens a one-field form; the SDK makes the vault and its key in this browser. */
import { useState, type FormEvent } from 'react';
import type { Vault as VaultInfo } from '@latchkey/client/client';
import { useApp } from '../../app-context.tsx';
import { describeError } from '../../errors.ts';
import { ErrorMessage, Field } from '../../components/ui.tsx';

export function NewVault({ onCreated }: { onCreated: (vault: VaultInfo) => Promise<void> }) {
  const { latchkey, handleSignedOut } = useApp();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (!open) {
    return (
      <button type="button" className="secondary" onClick={() => setOpen(true)}>
        New vault
      </button>
    );
  }
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const vault = await latchkey.client.vaults.create(name.trim());
      await onCreated(vault);
      setName('');
      setOpen(false);
    } catch (e) {
      if (!handleSignedOut(e)) setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)}>
      <Field label="New vault name" required autoFocus maxLength={200} value={name} onChange={setName} />
      <ErrorMessage message={error} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Create vault
        </button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
