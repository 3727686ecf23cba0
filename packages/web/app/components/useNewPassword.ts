/** Choosing a new account password: typed twice, long enough, and the same both times. */
import { useState } from 'react';
import { MIN_PASSWORD_LENGTH } from '@latchkey/core/account-password';
import { passwordStrength } from '../password-strength.ts';
import type { FormField } from './form-error.ts';

export function useNewPassword() {
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const strength = passwordStrength(password);
  /** The second field is filled in and differs (shown while typing, before submitting). */
  const mismatch = repeat !== '' && repeat !== password;
  /** What stops this password being used, in words for the person; undefined when it can be used. */
  const problem = (): string | undefined => {
    if (strength === 'too-short') return `Choose an account password of at least ${MIN_PASSWORD_LENGTH} characters.`;
    if (password !== repeat) return 'The two passwords are not the same. Type the same password in both fields.';
    return undefined;
  };
  /** Which of the two fields `problem()` is about. */
  const problemField = (): FormField | undefined => {
    if (strength === 'too-short') return 'newPassword';
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
