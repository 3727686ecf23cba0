/** The two fields for a new account password, with its strength and whether they match. */
import { STRENGTH_TEXT } from '../password-strength.ts';
import { SecretField } from './ui.tsx';
import type { NewPassword } from './useNewPassword.ts';

export function NewPasswordFields({ label, emptyHint, value }: { label: string; emptyHint: string; value: NewPassword }) {
  const { password, setPassword, repeat, setRepeat, strength, mismatch } = value;
  return (
    <>
      <SecretField
        label={label}
        autoComplete="new-password"
        required
        value={password}
        onChange={setPassword}
        hint={password === '' ? emptyHint : STRENGTH_TEXT[strength]}
      />
      <SecretField
        label={`${label} again`}
        autoComplete="new-password"
        required
        value={repeat}
        onChange={setRepeat}
        hint={mismatch ? 'Not the same as the first password yet.' : undefined}
      />
    </>
  );
}
