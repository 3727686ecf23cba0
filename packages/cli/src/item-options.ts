/**
 * The options of `latchkey item create | edit` and the item fields they make: kind (`--type`),
 * the login fields, card and identity details, custom fields (`--field [text:|hidden:|url:]LABEL=VALUE`),
 * tags and the favourite mark. Secret values take `-` for a line of stdin, read in the order
 * `--password`, `--totp`, `--card-number`, `--card-code`, `--card-pin`, then each hidden field.
 */
import { type Command, Option } from 'commander';
import { LatchkeyError } from '@latchkey/core/errors';
import {
  CUSTOM_FIELD_KINDS,
  ITEM_KINDS,
  type CardDetails,
  type CustomField,
  type CustomFieldKind,
  type IdentityDetails,
  type ItemFields,
  type ItemKind,
} from '@latchkey/core/item';
import { SECRETS, STDIN, givenSecret, secretOption, type SecretSpec } from './secret-input.ts';

export interface ItemOptions {
  title?: string;
  username?: string;
  password?: string;
  url?: string[];
  notes?: string;
  totp?: string;
  type?: ItemKind;
  /** The older name of `--type`, still accepted. */
  kind?: ItemKind;
  cardholder?: string;
  cardNumber?: string;
  cardExpiry?: string;
  cardCode?: string;
  cardPin?: string;
  cardBrand?: string;
  fullName?: string;
  email?: string;
  phone?: string;
  address?: string;
  company?: string;
  birthDate?: string;
  field?: string[];
  removeField?: string[];
  tag?: string[];
  untag?: string[];
  favourite?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Every option that sets a field; `edit` adds the ones that remove. */
export function withItemOptions(command: Command, { editing }: { editing: boolean }): Command {
  command.addOption(new Option('--type <type>', `what the item is: ${ITEM_KINDS.join(', ')}`).choices(ITEM_KINDS));
  command.addOption(new Option('--kind <kind>').choices(ITEM_KINDS).hideHelp());
  command.option('--username <username>', 'user name');
  secretOption(command, SECRETS.itemPassword, "the item's password to store, not your account password", { asked: false });
  command.option('--url <url>', 'a website address (repeatable)', collect).option('--notes <notes>', 'notes');
  secretOption(command, SECRETS.itemTotp, 'a TOTP secret or otpauth:// URI for the site', { asked: false, after: '--password' });
  command.option('--cardholder <name>', 'card: name on the card');
  secretOption(command, SECRETS.cardNumber, 'card: the number', { asked: false, after: '--totp' });
  command.option('--card-expiry <MM/YY>', 'card: expiry, MM/YY or MM/YYYY');
  secretOption(command, SECRETS.cardCode, 'card: security code (CVC)', { asked: false, after: '--card-number' });
  secretOption(command, SECRETS.cardPin, 'card: PIN', { asked: false, after: '--card-code' });
  command.option('--card-brand <brand>', 'card: brand, such as Visa');
  command
    .option('--full-name <name>', 'identity: full name')
    .option('--email <address>', 'identity: email address')
    .option('--phone <number>', 'identity: phone number')
    .option('--address <address>', 'identity: postal address')
    .option('--company <name>', 'identity: company')
    .option('--birth-date <YYYY-MM-DD>', 'identity: date of birth');
  command.option(
    '--field <[kind:]label=value>',
    `a custom field (repeatable); kind is ${CUSTOM_FIELD_KINDS.join(', ')} (text if left out); a hidden field's value "-" reads a line of stdin, after any for --card-pin${editing ? '; a label the item has already is given the new value' : ''}`,
    collect,
  );
  command.option('--tag <tag>', editing ? 'add a tag (repeatable)' : 'a tag (repeatable)', collect);
  command.option('--favourite', 'mark as a favourite');
  if (editing) {
    command.option('--no-favourite', 'no longer a favourite');
    command.option('--remove-field <label>', 'remove the custom field with this label (repeatable)', collect);
    command.option('--untag <tag>', 'remove a tag (repeatable)', collect);
  }
  return command;
}

/** A secret field as given: `-` reads it from stdin (a prompt on a terminal); any other value, even empty, is the value. */
async function secretField(spec: SecretSpec, value: string | undefined): Promise<string | undefined> {
  return value?.trim() === STDIN ? (await givenSecret(spec, value))?.value : value;
}

/** `[kind:]label=value`; a prefix other than a field kind is part of the label ("Note: x=y" is a text field). */
function parseField(spec: string): CustomField {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new LatchkeyError('invalid_request', `--field takes [kind:]label=value, such as "hidden:PIN=1234", not "${spec}".`);
  const head = spec.slice(0, eq);
  const colon = head.indexOf(':');
  const prefix = colon > 0 ? head.slice(0, colon) : undefined;
  const kind: CustomFieldKind = prefix !== undefined && (CUSTOM_FIELD_KINDS as readonly string[]).includes(prefix) ? (prefix as CustomFieldKind) : 'text';
  const label = (kind === 'text' && prefix !== 'text' ? head : head.slice(colon + 1)).trim();
  return { kind, label, value: spec.slice(eq + 1) };
}

/** Given details over the current ones; a detail given as "" is removed. Undefined when none was given. */
function mergeDetails<T extends object>(current: T | undefined, given: Record<string, string | undefined>): T | undefined {
  const entries = Object.entries(given).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return undefined;
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of entries) {
    if (value === '') delete merged[key];
    else merged[key] = value;
  }
  return merged as T;
}

const sameLabel = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The changes the options make to `current` (nothing for a new item); secrets from stdin are read here, in the documented order. */
export async function itemChangesFrom(opts: ItemOptions, current?: ItemFields): Promise<Partial<ItemFields>> {
  const changes: Mutable<Partial<ItemFields>> = {};
  const password = await secretField(SECRETS.itemPassword, opts.password);
  const totp = await secretField(SECRETS.itemTotp, opts.totp);
  const cardNumber = await secretField(SECRETS.cardNumber, opts.cardNumber);
  const cardCode = await secretField(SECRETS.cardCode, opts.cardCode);
  const cardPin = await secretField(SECRETS.cardPin, opts.cardPin);
  const kind = opts.type ?? opts.kind;
  if (kind !== undefined) changes.kind = kind;
  if (opts.title !== undefined) changes.title = opts.title;
  if (opts.username !== undefined) changes.username = opts.username;
  if (password !== undefined) changes.password = password;
  if (opts.url !== undefined) changes.urls = opts.url;
  if (opts.notes !== undefined) changes.notes = opts.notes;
  if (totp !== undefined) changes.totp = totp;
  const card = mergeDetails<CardDetails>(current?.card, {
    cardholder: opts.cardholder,
    number: cardNumber,
    expiry: opts.cardExpiry,
    securityCode: cardCode,
    pin: cardPin,
    brand: opts.cardBrand,
  });
  if (card !== undefined) changes.card = card;
  const identity = mergeDetails<IdentityDetails>(current?.identity, {
    fullName: opts.fullName,
    email: opts.email,
    phone: opts.phone,
    address: opts.address,
    company: opts.company,
    birthDate: opts.birthDate,
  });
  if (identity !== undefined) changes.identity = identity;
  if (opts.field !== undefined || opts.removeField !== undefined) {
    let fields = [...(current?.fields ?? [])].filter((f) => !(opts.removeField ?? []).some((label) => sameLabel(label, f.label)));
    for (const spec of opts.field ?? []) {
      const parsed = parseField(spec);
      const value =
        parsed.kind === 'hidden' ? ((await secretField({ flag: '--field', label: `${parsed.label} (hidden field)` }, parsed.value)) ?? '') : parsed.value;
      const field = { ...parsed, value };
      fields = fields.some((f) => sameLabel(f.label, field.label)) ? fields.map((f) => (sameLabel(f.label, field.label) ? field : f)) : [...fields, field];
    }
    changes.fields = fields;
  }
  if (opts.tag !== undefined || opts.untag !== undefined) {
    const kept = (current?.tags ?? []).filter((t) => !(opts.untag ?? []).some((u) => sameLabel(u, t)));
    changes.tags = [...kept, ...(opts.tag ?? [])];
  }
  if (opts.favourite !== undefined) changes.favourite = opts.favourite;
  return changes;
}
