/**
 * The password generator: length, kinds of characters, a fresh password on every change. The
 * passwords and their entropy come from the core generator, the same one `latchkey generate` uses
 * (docs/protocol.md, "Password and passphrase generator").
 */
import { useEffect, useId, useRef, useState } from 'react';
import { DEFAULT_PASSWORD_OPTIONS, generatePassword, passwordEntropyBits, type PasswordOptions } from '@latchkey/core/password-generator';
import { CopyButton } from './ui.tsx';

/** The web app's defaults: the core's, with look-alikes left out since people read these. */
const DEFAULT_GENERATOR_OPTIONS: PasswordOptions = { ...DEFAULT_PASSWORD_OPTIONS, avoidLookAlikes: true };
/** The slider's range; the core allows 1 to 1,024, but fewer than 8 characters is too weak to offer here. */
const MIN_LENGTH = 8;
const MAX_LENGTH = 64;
/**
 * How long the password must stay the same before a screen reader is told it: dragging the
 * length slider (or holding an arrow key on it) makes a new password at every step, and each
 * would otherwise be read out (issue 15 item 7).
 */
export const ANNOUNCE_AFTER_MS = 700;

export function PasswordGenerator({ onUse }: { onUse?: (password: string) => void }) {
  const id = useId();
  const [options, setOptions] = useState<PasswordOptions>(DEFAULT_GENERATOR_OPTIONS);
  const [password, setPassword] = useState('');
  const anyClass = options.lower || options.upper || options.digits || options.symbols;

  const regenerate = (next: PasswordOptions) => setPassword(next.lower || next.upper || next.digits || next.symbols ? generatePassword(next) : '');
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new password whenever the options change; `regenerate` is a new function on every render.
  useEffect(() => regenerate(options), [options]);

  // The visible output is not a live region; this one is, and is told only once the password settles.
  const [announcement, setAnnouncement] = useState('');
  const shown = useRef(false);
  useEffect(() => {
    if (!shown.current) {
      // The first password, on opening the generator, is on screen with the page: nothing to announce.
      shown.current = password !== '';
      return;
    }
    const timer = setTimeout(
      () => setAnnouncement(password ? `New password, ${password.length} characters: ${password}` : 'No password: choose at least one kind of character.'),
      ANNOUNCE_AFTER_MS,
    );
    return () => clearTimeout(timer);
  }, [password]);

  const toggle = (name: 'lower' | 'upper' | 'digits' | 'symbols' | 'avoidLookAlikes', label: string) => (
    <label className="check">
      <input type="checkbox" checked={options[name]} onChange={(e) => setOptions({ ...options, [name]: e.target.checked })} />
      {label}
    </label>
  );

  return (
    <div className="generator">
      <div className="field">
        <label htmlFor={`${id}-out`}>Generated password</label>
        <output id={`${id}-out`} className="generated mono" aria-live="off">
          {password || '—'}
        </output>
        <p className="visually-hidden" role="status" aria-live="polite" data-testid="generator-announcement">
          {announcement}
        </p>
      </div>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => regenerate(options)} disabled={!anyClass}>
          Generate another
        </button>
        {password ? <CopyButton text={password} what="Generated password" /> : null}
        {onUse && password ? (
          <button type="button" onClick={() => onUse(password)}>
            Use this password
          </button>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={`${id}-len`}>
          Length: <span>{options.length}</span> characters
        </label>
        <input
          id={`${id}-len`}
          type="range"
          min={MIN_LENGTH}
          max={MAX_LENGTH}
          value={options.length}
          onChange={(e) => setOptions({ ...options, length: Math.min(MAX_LENGTH, Number(e.target.value)) })}
        />
      </div>
      <fieldset>
        <legend>Use these characters</legend>
        {toggle('lower', 'Lower-case letters (a–z)')}
        {toggle('upper', 'Capital letters (A–Z)')}
        {toggle('digits', 'Digits (0–9)')}
        {toggle('symbols', 'Symbols (!#$%…)')}
        {toggle('avoidLookAlikes', 'Leave out look-alikes (0, O, 1, l, I)')}
      </fieldset>
      <p className="hint">{anyClass ? `About ${Math.floor(passwordEntropyBits(options))} bits of randomness.` : 'Choose at least one kind of character.'}</p>
    </div>
  );
}
