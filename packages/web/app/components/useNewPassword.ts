/**
 * Choosing a new password: typed twice, and the same both times. For an account password
 * (`rule: 'account'`) it must also pass the account-password rule (password-strength.ts);
 * an export file's password only needs the length, though its strength is shown too.
 */
import { useState } from 'react';
import { MIN_PASSWORD_LENGTH, TOO_SHORT_REASON } from '@latchkey/core/account-password';
import { usePasswordStrength } from '../password-strength.ts';
import type { FormField } from './form-error.ts';

export function useNewPassword({ rule = 'account', userInputs = [] }: { rule?: 'account' | 'length'; userInputs?: readonly string[] } = {}) {
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const strength = usePasswordStrength(password, userInputs);
  /** The second field is filled in and differs (shown while typing, before submitting). */
  const mismatch = repeat !== '' && repeat !== password;
  const refusal = (): string | undefined => {
    if (password.length < MIN_PASSWORD_LENGTH) return TOO_SHORT_REASON;
    // While the estimate is still loading the SDK's own check (the same rule) decides.
    return rule === 'account' ? strength.refusal : undefined;
  };
  /** What stops this password being used, in words for the person; undefined when it can be used. */
  const problem = (): string | undefined => {
    const refused = refusal();
    if (refused !== undefined) return refused;
    if (password !== repeat) return 'The two passwords are not the same. Type the same password in both fields.';
    return undefined;
  };
  /** Which of the two fields `problem()` is about. */
  const problemField = (): FormField | undefined => {
    if (refusal() !== undefined) return 'newPassword';
    if (password !== repeat) return 'newPasswordAgain';
    return undefined;
  };
  /** Forgets both fields (after the password was used). */
  const clear = () => {
    setPassword('');
    setRepeat('');
  };
  return { password, setPassword, repeat, setRepeat, strength, mismatch, problem, problemField, clear };
}

export type NewPassword = ReturnType<typeof useNewPassword>;
