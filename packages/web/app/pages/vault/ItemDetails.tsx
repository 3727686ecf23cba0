/**
 * The parts of the item view beyond a login: card and identity details, custom fields, tags, and
 * the password history (hidden until asked for; each earlier password with the date it was
 * replaced and a Copy button). Secret values are masked until revealed, one at a time.
 */
import { useState } from 'react';
import type { Item } from '@latchkey/client/client';
import type { CustomField } from '@latchkey/core/item';
import { CopyButton } from '../../components/ui.tsx';
import { formatDateTime } from '../../dates.ts';

const MASK = '••••••••••••';

/** Only http(s) addresses become links: a stored `javascript:` URL must never be clickable. */
export function safeHref(url: string): string | undefined {
  try {
    const parsed = new URL(url.includes('://') ? url : `https://${url}`);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

export function TextRow({ label, value }: { label: string; value: string }) {
  return (
    <div className="field-row">
      <dt>{label}</dt>
      <dd>
        <span className="value notes">{value}</span>
        <CopyButton text={value} what={label} />
      </dd>
    </div>
  );
}

export function SecretRow({ label, value }: { label: string; value: string }) {
  const [revealed, setRevealed] = useState(false);
  return (
    <div className="field-row">
      <dt>{label}</dt>
      <dd>
        <span className="value mono" aria-live="polite">
          {revealed ? value : MASK}
        </span>
        <button type="button" className="secondary" aria-pressed={revealed} aria-label={`Reveal ${label.toLowerCase()}`} onClick={() => setRevealed(!revealed)}>
          {revealed ? 'Hide' : 'Reveal'}
        </button>
        <CopyButton text={value} what={label} />
      </dd>
    </div>
  );
}

export function LinkRow({ label, url }: { label: string; url: string }) {
  const href = safeHref(url);
  return (
    <div className="field-row">
      <dt>{label}</dt>
      <dd>
        {href ? (
          <a className="value" href={href} target="_blank" rel="noopener noreferrer">
            {url}
          </a>
        ) : (
          <span className="value">{url}</span>
        )}
        <CopyButton text={url} what={label} />
      </dd>
    </div>
  );
}

function CustomFieldRow({ field }: { field: CustomField }) {
  if (field.kind === 'hidden') return <SecretRow label={field.label} value={field.value} />;
  if (field.kind === 'url') return <LinkRow label={field.label} url={field.value} />;
  return <TextRow label={field.label} value={field.value} />;
}

/** Card, identity and custom-field rows, in the order a person reads a card or a form. */
export function TypedRows({ item }: { item: Item }) {
  const card = item.card;
  const identity = item.identity;
  return (
    <>
      {card?.cardholder ? <TextRow label="Name on card" value={card.cardholder} /> : null}
      {card?.number ? <SecretRow label="Card number" value={card.number} /> : null}
      {card?.expiry ? <TextRow label="Expiry" value={card.expiry} /> : null}
      {card?.securityCode ? <SecretRow label="Security code" value={card.securityCode} /> : null}
      {card?.pin ? <SecretRow label="PIN" value={card.pin} /> : null}
      {card?.brand ? <TextRow label="Brand" value={card.brand} /> : null}
      {identity?.fullName ? <TextRow label="Full name" value={identity.fullName} /> : null}
      {identity?.email ? <TextRow label="Email" value={identity.email} /> : null}
      {identity?.phone ? <TextRow label="Phone" value={identity.phone} /> : null}
      {identity?.address ? <TextRow label="Address" value={identity.address} /> : null}
      {identity?.company ? <TextRow label="Company" value={identity.company} /> : null}
      {identity?.birthDate ? <TextRow label="Date of birth" value={identity.birthDate} /> : null}
      {(item.fields ?? []).map((f, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: shown in stored order, never reordered here; labels may repeat.
        <CustomFieldRow key={i} field={f} />
      ))}
    </>
  );
}

export function Tags({ tags }: { tags: readonly string[] | undefined }) {
  if (tags === undefined || tags.length === 0) return null;
  return (
    <ul className="tags" aria-label="Tags">
      {tags.map((t) => (
        <li key={t} className="tag">
          {t}
        </li>
      ))}
    </ul>
  );
}

export function PasswordHistory({ item }: { item: Item }) {
  const [open, setOpen] = useState(false);
  const history = item.passwordHistory ?? [];
  if (history.length === 0) return null;
  return (
    <section className="password-history" aria-label="Password history">
      <button type="button" className="secondary" aria-expanded={open} aria-controls="password-history-list" onClick={() => setOpen(!open)}>
        {open ? 'Hide password history' : `Show password history (${history.length})`}
      </button>
      {open ? (
        <ol id="password-history-list" className="history-list">
          {history.map((entry, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the history is shown newest first as stored; the same password may appear twice.
            <li key={i}>
              <span className="value mono">{entry.password}</span>
              <span className="hint">replaced {formatDateTime(entry.replacedAt)}</span>
              <CopyButton text={entry.password} what={`Password replaced ${formatDateTime(entry.replacedAt)}`} />
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
