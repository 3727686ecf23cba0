/**
 * Creating and editing an item. An edit names the version it was made from; if the item changed
 * elsewhere meanwhile the SDK throws `conflict` and nothing is overwritten: the person is told,
 * and can reload the latest version (their unsaved edits are shown until they do).
 */
import { useState, type FormEvent } from 'react';
import type { Item, Vault } from '@latchkey/client/client';
import { validateItemFields, type ItemKind } from '@latchkey/core/item';
import { parseVaultId } from '@latchkey/core/ids';
import { parseTotp } from '@latchkey/core/totp-code';
import { LatchkeyError } from '@latchkey/core/errors';
import { useApp } from '../../app-context.tsx';
import { describeError, errorCode } from '../../errors.ts';
import { ErrorMessage, Field, PageHeading, Progress, SecretField } from '../../components/ui.tsx';
import { PasswordGenerator } from '../../components/PasswordGenerator.tsx';
import { TotpQrInput } from './TotpQrInput.tsx';
import { CLEARED, draftOf, fieldsOf, hasCardDetails, hasIdentityDetails, hasLoginFields, type Draft } from './item-draft.ts';
import { KIND_NAMES, KINDS_IN_ORDER } from './item-kinds.ts';
import { CardFields, CustomFieldsEditor, IdentityFields, TagsAndFavourite } from './TypedFieldsEditor.tsx';

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
  const showLogin = draft.kind === 'login' || draft.kind === 'password' || hasLoginFields(draft);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (draft.title.trim() === '') return setError({ message: 'Give the item a title, such as the name of the website.', conflict: false });
    const totpProblem = totpError(draft.totp);
    if (totpProblem !== undefined) return setError({ message: totpProblem, conflict: false });
    const fields = fieldsOf(draft, base);
    try {
      // Core's own check, so a wrong expiry or a card number on a login is named before anything is encrypted.
      validateItemFields(fields);
    } catch (e) {
      return setError({ message: e instanceof LatchkeyError ? e.message : describeError(e), conflict: false });
    }
    setBusy(true);
    try {
      const saved =
        base === undefined
          ? // The vault id may come from the address bar: checked here, as the server would.
            await latchkey.client.items.create(parseVaultId(targetVault), fields)
          : await latchkey.client.items.update(base.id, { ...CLEARED, ...fields }, base);
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
        <select id="item-kind" value={draft.kind} onChange={(e) => set('kind')(e.target.value as ItemKind)}>
          {KINDS_IN_ORDER.map((k) => (
            <option key={k} value={k}>
              {KIND_NAMES[k]}
            </option>
          ))}
        </select>
      </div>
      <Field label="Title" required maxLength={500} value={draft.title} onChange={set('title')} autoComplete="off" />
      {draft.kind === 'card' || hasCardDetails(draft) ? <CardFields draft={draft} setDraft={setDraft} /> : null}
      {draft.kind === 'identity' || hasIdentityDetails(draft) ? <IdentityFields draft={draft} setDraft={setDraft} /> : null}
      {showLogin ? (
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
      <CustomFieldsEditor draft={draft} setDraft={setDraft} />
      <TagsAndFavourite draft={draft} setDraft={setDraft} />
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
