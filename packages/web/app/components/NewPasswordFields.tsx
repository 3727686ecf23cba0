/** The two fields for a new password, with a strength meter and whether they match. */
import { strengthText } from '../password-strength.ts';
import { SecretField } from './ui.tsx';
import type { NewPassword } from './useNewPassword.ts';
import type { TieField } from './form-error.ts';

const untied: TieField = (_field, onChange) => ({ errorId: undefined, onChange });

/** zxcvbn's score 0-4 as a meter of 4 steps; "too short" shows an empty meter. */
function StrengthMeter({ value }: { value: NewPassword['strength'] }) {
  if (value.score === undefined) return null;
  return <meter className={`strength strength-${value.strength}`} min={0} max={4} low={2.5} high={3.5} optimum={4} value={value.score} aria-hidden="true" />;
}

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
        hint={
          password === '' ? (
            emptyHint
          ) : (
            <>
              <StrengthMeter value={strength} />
              <span data-testid="password-strength" data-strength={strength.strength}>
                {strengthText(strength)}
              </span>
            </>
          )
        }
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
