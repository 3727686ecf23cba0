/** The item editor's parts beyond a login: card and identity details, custom fields, tags and the favourite mark. */
import type { CustomFieldKind } from '@latchkey/core/item';
import { Field, SecretField } from '../../components/ui.tsx';
import { newFieldDraft, type Draft, type FieldDraft } from './item-draft.ts';

type SetDraft = (change: (d: Draft) => Draft) => void;

export function CardFields({ draft, setDraft }: { draft: Draft; setDraft: SetDraft }) {
  const set = (name: keyof Draft['card']) => (value: string) => setDraft((d) => ({ ...d, card: { ...d.card, [name]: value } }));
  return (
    <fieldset className="details">
      <legend>Card</legend>
      <Field label="Name on card" value={draft.card.cardholder} onChange={set('cardholder')} autoComplete="off" />
      <SecretField label="Card number" value={draft.card.number} onChange={set('number')} autoComplete="off" inputMode="numeric" />
      <Field label="Expiry (MM/YY)" value={draft.card.expiry} onChange={set('expiry')} autoComplete="off" placeholder="09/30" inputMode="numeric" />
      <SecretField label="Security code" value={draft.card.securityCode} onChange={set('securityCode')} autoComplete="off" inputMode="numeric" />
      <SecretField label="PIN" value={draft.card.pin} onChange={set('pin')} autoComplete="off" inputMode="numeric" />
      <Field label="Brand" value={draft.card.brand} onChange={set('brand')} autoComplete="off" placeholder="Visa, Mastercard…" />
    </fieldset>
  );
}

export function IdentityFields({ draft, setDraft }: { draft: Draft; setDraft: SetDraft }) {
  const set = (name: keyof Draft['identity']) => (value: string) => setDraft((d) => ({ ...d, identity: { ...d.identity, [name]: value } }));
  return (
    <fieldset className="details">
      <legend>Identity</legend>
      <Field label="Full name" value={draft.identity.fullName} onChange={set('fullName')} autoComplete="off" />
      <Field label="Email" type="email" value={draft.identity.email} onChange={set('email')} autoComplete="off" spellCheck={false} autoCapitalize="off" />
      <Field label="Phone" type="tel" value={draft.identity.phone} onChange={set('phone')} autoComplete="off" />
      <Field label="Address" multiline value={draft.identity.address} onChange={set('address')} />
      <Field label="Company" value={draft.identity.company} onChange={set('company')} autoComplete="off" />
      <Field label="Date of birth" type="date" value={draft.identity.birthDate} onChange={set('birthDate')} autoComplete="off" />
    </fieldset>
  );
}

const KIND_LABELS: Record<CustomFieldKind, string> = { text: 'Text', hidden: 'Hidden', url: 'Web address' };

function CustomFieldRow({ field, index, onChange, onRemove }: { field: FieldDraft; index: number; onChange: (f: FieldDraft) => void; onRemove: () => void }) {
  const name = field.label.trim() || `field ${index + 1}`;
  const valueLabel = `Value of ${name}`;
  return (
    <li className="custom-field">
      <Field label={`Label of field ${index + 1}`} value={field.label} onChange={(label) => onChange({ ...field, label })} autoComplete="off" />
      <div className="field">
        <label htmlFor={`field-kind-${field.key}`}>Kind of {name}</label>
        <select id={`field-kind-${field.key}`} value={field.kind} onChange={(e) => onChange({ ...field, kind: e.target.value as CustomFieldKind })}>
          {(Object.keys(KIND_LABELS) as CustomFieldKind[]).map((k) => (
            <option key={k} value={k}>
              {KIND_LABELS[k]}
            </option>
          ))}
        </select>
      </div>
      {field.kind === 'hidden' ? (
        <SecretField label={valueLabel} value={field.value} onChange={(value) => onChange({ ...field, value })} autoComplete="off" />
      ) : (
        <Field
          label={valueLabel}
          type="text"
          inputMode={field.kind === 'url' ? 'url' : undefined}
          value={field.value}
          onChange={(value) => onChange({ ...field, value })}
          autoComplete="off"
          placeholder={field.kind === 'url' ? 'https://example.com' : undefined}
        />
      )}
      <div className="actions">
        <button type="button" className="secondary" onClick={onRemove}>
          Remove {name}
        </button>
      </div>
    </li>
  );
}

export function CustomFieldsEditor({ draft, setDraft }: { draft: Draft; setDraft: SetDraft }) {
  const update = (key: number, next: FieldDraft | undefined) =>
    setDraft((d) => ({ ...d, fields: next === undefined ? d.fields.filter((f) => f.key !== key) : d.fields.map((f) => (f.key === key ? next : f)) }));
  return (
    <fieldset className="details">
      <legend>Custom fields</legend>
      {draft.fields.length > 0 ? (
        <ol className="custom-fields">
          {draft.fields.map((f, i) => (
            <CustomFieldRow key={f.key} field={f} index={i} onChange={(next) => update(f.key, next)} onRemove={() => update(f.key, undefined)} />
          ))}
        </ol>
      ) : null}
      <div className="actions">
        <button type="button" className="secondary" onClick={() => setDraft((d) => ({ ...d, fields: [...d.fields, newFieldDraft()] }))}>
          Add a field
        </button>
      </div>
    </fieldset>
  );
}

export function TagsAndFavourite({ draft, setDraft }: { draft: Draft; setDraft: SetDraft }) {
  return (
    <>
      <Field
        label="Tags"
        value={draft.tags}
        onChange={(tags) => setDraft((d) => ({ ...d, tags }))}
        autoComplete="off"
        hint="Separate tags with commas, such as: work, travel"
      />
      <div className="field">
        <label className="check">
          <input type="checkbox" checked={draft.favourite} onChange={(e) => setDraft((d) => ({ ...d, favourite: e.target.checked }))} /> Favourite
        </label>
      </div>
    </>
  );
}
