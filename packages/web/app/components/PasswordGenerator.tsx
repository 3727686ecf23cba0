/** The password generator: length, kinds of characters, a fresh password on every change. */
import { useEffect, useId, useState } from 'react';
import { DEFAULT_GENERATOR_OPTIONS, MAX_LENGTH, MIN_LENGTH, generatePassword, generatedEntropyBits, type GeneratorOptions } from '../password-generator.ts';
import { CopyButton } from './ui.tsx';

export function PasswordGenerator({ onUse }: { onUse?: (password: string) => void }) {
  const id = useId();
  const [options, setOptions] = useState<GeneratorOptions>(DEFAULT_GENERATOR_OPTIONS);
  const [password, setPassword] = useState('');
  const anyClass = options.lower || options.upper || options.digits || options.symbols;

  const regenerate = (next: GeneratorOptions) => setPassword(next.lower || next.upper || next.digits || next.symbols ? generatePassword(next) : '');
  useEffect(() => regenerate(options), [options]);

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
        <output id={`${id}-out`} className="generated mono" aria-live="polite">
          {password || '—'}
        </output>
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
        <input id={`${id}-len`} type="range" min={MIN_LENGTH} max={64} value={options.length} onChange={(e) => setOptions({ ...options, length: Math.min(MAX_LENGTH, Number(e.target.value)) })} />
      </div>
      <fieldset>
        <legend>Use these characters</legend>
        {toggle('lower', 'Lower-case letters (a–z)')}
        {toggle('upper', 'Capital letters (A–Z)')}
        {toggle('digits', 'Digits (0–9)')}
        {toggle('symbols', 'Symbols (!#$%…)')}
        {toggle('avoidLookAlikes', 'Leave out look-alikes (0, O, 1, l, I)')}
      </fieldset>
      <p className="hint">{anyClass ? `About ${generatedEntropyBits(options)} bits of randomness.` : 'Choose at least one kind of character.'}</p>
    </div>
  );
}
