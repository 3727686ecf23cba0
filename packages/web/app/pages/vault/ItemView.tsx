/** One item: fields with copy buttons, the password hidden until revealed, edit, delete (to the Trash) and move to another vault. */
import { useState } from 'react';
import type { Item, Vault as VaultInfo } from '@latchkey/client/client';
import { useApp } from '../../app-context.tsx';
import { describeError, errorCode } from '../../errors.ts';
import { formatDateTime } from '../../dates.ts';
import { CopyButton, ErrorMessage, PageHeading, Progress } from '../../components/ui.tsx';
import { MoveItem } from './MoveItem.tsx';
import { OneTimeCode } from './OneTimeCode.tsx';
import { KIND_NAMES } from './item-kinds.ts';
import { PasswordHistory, safeHref, Tags, TypedRows } from './ItemDetails.tsx';

export function ItemView({
  item,
  vaultName,
  canEdit,
  notice,
  onEdit,
  onDeleted,
  onReload,
  moveTargets,
  onMoved,
}: {
  item: Item;
  vaultName: string;
  /** False in a vault shared with this person to view only: no edit or delete controls. */
  canEdit: boolean;
  notice: string | undefined;
  onEdit: () => void;
  onDeleted: () => Promise<void>;
  onReload: () => Promise<void>;
  /** Vaults the item may be moved to (writable, not its own). */
  moveTargets: readonly VaultInfo[];
  onMoved: (moved: Item, message: string) => Promise<void>;
}) {
  const { latchkey, handleSignedOut } = useApp();
  const [revealed, setRevealed] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; conflict: boolean }>();

  const toggleFavourite = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await latchkey.client.items.update(item.id, { favourite: item.favourite !== true }, item);
      await onReload();
    } catch (e) {
      if (handleSignedOut(e)) return;
      setError({ message: describeError(e), conflict: errorCode(e) === 'conflict' });
    }
    setBusy(false);
  };

  const remove = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await latchkey.client.items.delete(item.id, item);
      await onDeleted();
    } catch (e) {
      if (handleSignedOut(e)) return;
      setError({ message: describeError(e), conflict: errorCode(e) === 'conflict' });
      setBusy(false);
      setConfirming(false);
    }
  };

  return (
    <article className="item-view">
      <PageHeading documentTitle="Item">{item.title}</PageHeading>
      <p className="hint">
        {item.favourite ? '★ Favourite · ' : ''}
        {KIND_NAMES[item.kind]} in {vaultName} · changed {formatDateTime(item.updatedAt)}
      </p>
      <Tags tags={item.tags} />
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <dl className="fields">
        {item.username ? (
          <div className="field-row">
            <dt>Username</dt>
            <dd>
              <span className="value">{item.username}</span>
              <CopyButton text={item.username} what="Username" />
            </dd>
          </div>
        ) : null}
        {item.password ? (
          <div className="field-row">
            <dt>Password</dt>
            <dd>
              <span className="value mono" aria-live="polite" data-testid="password-value">
                {revealed ? item.password : '••••••••••••'}
              </span>
              <button type="button" className="secondary" aria-pressed={revealed} onClick={() => setRevealed(!revealed)}>
                {revealed ? 'Hide' : 'Reveal'}
              </button>
              <CopyButton text={item.password} what="Password" />
            </dd>
          </div>
        ) : null}
        {(item.urls ?? []).map((url, index) => {
          const href = safeHref(url);
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: the list is shown, never reordered or edited here; the same URL may appear twice.
            <div className="field-row" key={index}>
              <dt>Website</dt>
              <dd>
                {href ? (
                  <a className="value" href={href} target="_blank" rel="noopener noreferrer">
                    {url}
                  </a>
                ) : (
                  <span className="value">{url}</span>
                )}
                <CopyButton text={url} what="Website" />
              </dd>
            </div>
          );
        })}
        {item.totp ? (
          <>
            <div className="field-row">
              <dt>One-time code</dt>
              <dd>
                <OneTimeCode secret={item.totp} />
              </dd>
            </div>
            <div className="field-row">
              <dt>One-time password secret</dt>
              <dd>
                <span className="value mono">••••••••</span>
                <CopyButton text={item.totp} what="One-time password secret" />
              </dd>
            </div>
          </>
        ) : null}
        <TypedRows item={item} />
        {item.notes ? (
          <div className="field-row">
            <dt>Notes</dt>
            <dd>
              <span className="value notes">{item.notes}</span>
              <CopyButton text={item.notes} what="Notes" />
            </dd>
          </div>
        ) : null}
      </dl>
      <PasswordHistory item={item} />
      <ErrorMessage message={error?.message}>
        {error?.conflict ? (
          <button type="button" className="secondary" onClick={() => void onReload().then(() => setError(undefined))}>
            Reload item
          </button>
        ) : null}
      </ErrorMessage>
      <Progress text={busy ? 'Moving to the Trash…' : undefined} />
      {confirming ? (
        // biome-ignore lint/a11y/useSemanticElements: two buttons and a question, not form fields: a fieldset would be read as a form.
        <div className="confirm" role="group" aria-label="Confirm delete">
          <p>Move “{item.title}” to the Trash? You can restore it from there for 30 days.</p>
          <div className="actions">
            <button type="button" className="danger" onClick={() => void remove()} disabled={busy}>
              Move to Trash
            </button>
            {/* biome-ignore lint/a11y/noAutofocus: focus moves into the confirmation the person just asked for, onto the safe choice, so a second Enter keeps the item. */}
            <button type="button" className="secondary" onClick={() => setConfirming(false)} disabled={busy} autoFocus>
              Keep it
            </button>
          </div>
        </div>
      ) : !canEdit ? (
        <p className="hint">Shared with you to view: only people with edit access change or delete it.</p>
      ) : (
        <div className="actions">
          <button type="button" onClick={onEdit}>
            Edit
          </button>
          <button type="button" className="secondary" aria-pressed={item.favourite === true} onClick={() => void toggleFavourite()} disabled={busy}>
            {item.favourite ? 'Remove from favourites' : 'Add to favourites'}
          </button>
          <button type="button" className="danger secondary" onClick={() => setConfirming(true)}>
            Delete
          </button>
          <MoveItem item={item} targets={moveTargets} onMoved={onMoved} onReload={onReload} />
        </div>
      )}
    </article>
  );
}
