/**
 * Creating and editing an item. An edit names the version it was made from; if the item changed
 * elsewhere meanwhile the SDK throws `conflict` and nothing is overwritten: the person is told,
 * and can reload the latest version (their unsaved edits are shown until they do).
 */
import { useState, type FormEvent } from 'react';
import type { Item, Vault } from '@latchkey/client/client';
import type { ItemFields, ItemKind } from '@latchkey/core/item';
import { parseVaultId } from '@latchkey/core/ids';
import { parseTotp } from '@latchkey/core/totp-code';
import { LatchkeyError } from '@latchkey/core/errors';
import { useApp } from '../../app-context.tsx';
import { describeError, errorCode } from '../../errors.ts';
import { ErrorMessage, Field, PageHeading, Progress, SecretField } from '../../components/ui.tsx';
import { PasswordGenerator } from '../../components/PasswordGenerator.tsx';
import { TotpQrInput } from './TotpQrInput.tsx';

interface Draft {
  kind: ItemKind;
  title: string;
  username: string;
  password: string;
  url: string;
  notes: string;
  totp: string;
}

const draftOf = (item: Item | undefined): Draft => ({
  kind: item?.kind ?? 'login',
  title: item?.title ?? '',
  username: item?.username ?? '',
  password: item?.password ?? '',
  url: item?.urls?.[0] ?? '',
  notes: item?.notes ?? '',
  totp: item?.totp ?? '',
});

/**
 * Empty fields are left out; extra URLs beyond the first (edited here) are kept. Switching to "Secure note" keeps filled-in login fields: nothing
 * is dropped without the person clearing it.
 */
function fieldsOf(draft: Draft, item: Item | undefined): ItemFields {
  const urls = [draft.url.trim(), ...(item?.urls?.slice(1) ?? [])].filter((u) => u !== '');
  return {
    kind: draft.kind,
    title: draft.title.trim(),
    ...(draft.username !== '' ? { username: draft.username } : {}),
    ...(draft.password !== '' ? { password: draft.password } : {}),
    ...(urls.length > 0 ? { urls } : {}),
    ...(draft.notes !== '' ? { notes: draft.notes } : {}),
    ...(draft.totp.trim() !== '' ? { totp: draft.totp.trim() } : {}),
  };
}

/** Why a typed TOTP secret is not usable, or undefined when it is (or when there is none). */
function totpError(typed: string): string | undefined {
  if (typed.trim() === '') return undefined;
  try {
    parseTotp(typed);
    return undefined;
  } catch (e) {
    // parseTotp's message names what is wrong ("… is not a base32 character"), unlike the generic one for invalid_request.
    return e instanceof LatchkeyError ? e.message : describeError(e);
  }
}

export function ItemEditor({
  vaults,
  vaultId,
  item,
  onSaved,
  onCancel,
}: {
  vaults: VaultList;
  vaultId: string;
  item?: Item;
  onSaved: (item: Item, message: string) => Promise<void>;
  onCancel: () => void;
}) {
  const { latchkey, handleSignedOut } = useApp();
  const [base, setBase] = useState<Item | undefined>(item);
  const [draft, setDraft] = useState<Draft>(() => draftOf(item));
  const [targetVault, setTargetVault] = useState(vaultId);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; conflict: boolean }>();
  const [generating, setGenerating] = useState(false);
  const set = (name: keyof Draft) => (value: string) => setDraft({ ...draft, [name]: value });

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (draft.title.trim() === '') return setError({ message: 'Give the item a title, such as the name of the website.', conflict: false });
    const totpProblem = totpError(draft.totp);
    if (totpProblem !== undefined) return setError({ message: totpProblem, conflict: false });
    setBusy(true);
    try {
      const fields = fieldsOf(draft, base);
      const saved =
        base === undefined
          ? // The vault id may come from the address bar: checked here, as the server would.
            await latchkey.client.items.create(parseVaultId(targetVault), fields)
          : await latchkey.client.items.update(
              base.id,
              { username: undefined, password: undefined, urls: undefined, notes: undefined, totp: undefined, ...fields },
              base,
            );
      await onSaved(saved, base === undefined ? 'Item saved.' : 'Changes saved.');
    } catch (e) {
      if (handleSignedOut(e)) return;
      setError({ message: describeError(e), conflict: errorCode(e) === 'conflict' });
      setBusy(false);
    }
  };

  const reloadLatest = async () => {
    if (base === undefined) return;
    try {
      const latest = await latchkey.client.items.get(base.id);
      setBase(latest);
      setDraft(draftOf(latest));
      setError(undefined);
    } catch (e) {
      if (!handleSignedOut(e)) setError({ message: describeError(e), conflict: false });
    }
  };

  return (
    <form className="item-editor" onSubmit={(e) => void save(e)}>
      <PageHeading documentTitle={base === undefined ? 'New item' : 'Edit item'}>{base === undefined ? 'New item' : `Edit ${base.title}`}</PageHeading>
      {base === undefined ? (
        <div className="field">
          <label htmlFor="item-vault">Vault</label>
          <select id="item-vault" value={targetVault} onChange={(e) => setTargetVault(e.target.value)}>
            {vaults.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div className="field">
        <label htmlFor="item-kind">Kind</label>
        <select id="item-kind" value={draft.kind} onChange={(e) => set('kind')(e.target.value)}>
          <option value="login">Login</option>
          <option value="password">Password</option>
          <option value="note">Secure note</option>
        </select>
      </div>
      <Field label="Title" required maxLength={500} value={draft.title} onChange={set('title')} autoComplete="off" />
      {draft.kind !== 'note' || draft.username !== '' || draft.password !== '' || draft.url !== '' ? (
        <>
          <Field label="Username" value={draft.username} onChange={set('username')} autoComplete="off" spellCheck={false} autoCapitalize="off" />
          <SecretField label="Password" value={draft.password} onChange={set('password')} autoComplete="new-password" />
          <div className="actions">
            <button type="button" className="secondary" aria-expanded={generating} onClick={() => setGenerating(!generating)}>
              {generating ? 'Close generator' : 'Generate a password'}
            </button>
          </div>
          {generating ? (
            <PasswordGenerator
              onUse={(password) => {
                setDraft({ ...draft, password });
                setGenerating(false);
              }}
            />
          ) : null}
          <Field
            label="Website"
            type="text"
            inputMode="url"
            value={draft.url}
            onChange={set('url')}
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="off"
            placeholder="https://example.com"
          />
          <SecretField
            label="One-time password (TOTP)"
            value={draft.totp}
            onChange={set('totp')}
            autoComplete="off"
            hint="The setup key the website shows next to its QR code, or its otpauth:// link. Latchkey then shows the current code."
          />
          <TotpQrInput onRead={(uri) => setDraft((d) => ({ ...d, totp: uri }))} />
        </>
      ) : null}
      <Field label="Notes" multiline value={draft.notes} onChange={set('notes')} />
      <ErrorMessage message={error?.message}>
        {error?.conflict ? (
          <button type="button" className="secondary" onClick={() => void reloadLatest()}>
            Reload latest version
          </button>
        ) : null}
      </ErrorMessage>
      <Progress text={busy ? 'Encrypting and saving…' : undefined} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Save
        </button>
        <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

type VaultList = readonly Vault[];
