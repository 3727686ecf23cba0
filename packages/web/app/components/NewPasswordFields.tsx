/** The two fields for a new account password, with its strength and whether they match. */
import { STRENGTH_TEXT } from '../password-strength.ts';
import { SecretField } from './ui.tsx';
import type { NewPassword } from './useNewPassword.ts';
import type { TieField } from './form-error.ts';

const untied: TieField = (_field, onChange) => ({ errorId: undefined, onChange });

export function NewPasswordFields({ label, emptyHint, value, tie = untied }: { label: string; emptyHint: string; value: NewPassword; tie?: TieField }) {
  const { password, setPassword, repeat, setRepeat, strength, mismatch } = value;
  return (
    <>
      <SecretField
        label={label}
        autoComplete="new-password"
        required
        value={password}
        {...tie('newPassword', setPassword)}
        hint={password === '' ? emptyHint : STRENGTH_TEXT[strength]}
      />
      <SecretField
        label={`${label} again`}
        autoComplete="new-password"
        required
        value={repeat}
        {...tie('newPasswordAgain', setRepeat)}
        hint={mismatch ? 'Not the same as the first password yet.' : undefined}
      />
    </>
  );
}
