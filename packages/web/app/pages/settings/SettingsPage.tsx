/** This browser's settings: when the app locks itself, how long copies stay on the clipboard, the theme (settings.ts). */
import { useId } from 'react';
import { useApp } from '../../app-context.tsx';
import { PageHeading } from '../../components/ui.tsx';
import type { Settings, Theme } from '../../settings.ts';

const LOCK_CHOICES: readonly { label: string; seconds: number | null }[] = [
  { label: '1 minute', seconds: 60 },
  { label: '5 minutes', seconds: 300 },
  { label: '10 minutes', seconds: 600 },
  { label: '30 minutes', seconds: 1800 },
  { label: '1 hour', seconds: 3600 },
  { label: '4 hours', seconds: 4 * 3600 },
  { label: '8 hours', seconds: 8 * 3600 },
  { label: 'Only when the browser closes', seconds: null },
];
const CLIPBOARD_CHOICES: readonly number[] = [10, 30, 60, 120, 300];
const THEMES: readonly { label: string; theme: Theme }[] = [
  { label: 'As the system', theme: 'system' },
  { label: 'Light', theme: 'light' },
  { label: 'Dark', theme: 'dark' },
];

const secondsLabel = (s: number) => (s < 60 ? `${s} seconds` : `${s / 60} minute${s === 60 ? '' : 's'}`);

function Choice<T>({
  legend,
  hint,
  options,
  chosen,
  onChoose,
}: {
  legend: string;
  hint: string;
  options: readonly { label: string; value: T }[];
  chosen: T;
  onChoose: (value: T) => void;
}) {
  const name = useId();
  return (
    <fieldset aria-describedby={`${name}-hint`}>
      <legend>{legend}</legend>
      <p className="hint" id={`${name}-hint`}>
        {hint}
      </p>
      {options.map((o) => (
        <label key={o.label} className="check">
          <input type="radio" name={name} checked={o.value === chosen} onChange={() => onChoose(o.value)} /> {o.label}
        </label>
      ))}
    </fieldset>
  );
}

export function SettingsPage() {
  const { settings, changeSetting } = useApp();
  const change =
    <K extends keyof Settings>(key: K) =>
    (value: Settings[K]) =>
      changeSetting(key, value);
  // A value set outside this page (an older default) still shows as chosen when it is one of the choices.
  const lockOptions = LOCK_CHOICES.map((c) => ({ label: c.label, value: c.seconds }));
  return (
    <main className="narrow settings">
      <PageHeading>Settings</PageHeading>
      <p>These settings are for this browser only, and take effect at once.</p>
      <Choice
        legend="Lock Latchkey after no activity for"
        hint="Locking forgets the keys in this browser; unlocking needs your account password. A shorter time protects a computer left unattended."
        options={lockOptions}
        chosen={settings.idleLockSeconds}
        onChoose={change('idleLockSeconds')}
      />
      {settings.idleLockSeconds === null || settings.idleLockSeconds > 3600 ? (
        <p className="notice" role="note">
          Anyone who gets to this computer while Latchkey is unlocked can read your items. Lock it yourself when you step away.
        </p>
      ) : null}
      <Choice
        legend="Clear copied passwords from the clipboard after"
        hint="Other programs can read the clipboard. Latchkey takes what it copied off again, unless you copied something else since."
        options={CLIPBOARD_CHOICES.map((s) => ({ label: secondsLabel(s), value: s }))}
        chosen={settings.clipboardClearSeconds}
        onChoose={change('clipboardClearSeconds')}
      />
      <Choice
        legend="Theme"
        hint="Light or dark colours."
        options={THEMES.map((t) => ({ label: t.label, value: t.theme }))}
        chosen={settings.theme}
        onChoose={change('theme')}
      />
    </main>
  );
}
