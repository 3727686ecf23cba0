/**
 * A field for a code the person types (a recovery code, an authenticator-app code, a backup
 * code): the text as typed, and `parsed` which checks it in this browser before any request, so
 * a typo costs nothing and is worded by the parser (which never repeats the secret).
 */
import { useState } from 'react';
import { parseRecoveryCode, type RecoveryCode } from '@latchkey/core/recovery-code';
import { LatchkeyError } from '@latchkey/core/errors';
import { describeInputError } from '../errors.ts';

export function useCodeField<T>(parse: (text: string) => T) {
  const [text, setText] = useState('');
  /** The parsed code, or undefined after `onProblem` was given the words for what is wrong. */
  const parsed = (onProblem: (message: string) => void): T | undefined => {
    try {
      return parse(text);
    } catch (error) {
      onProblem(describeInputError(error));
      return undefined;
    }
  };
  return { text, setText, parsed, clear: () => setText('') };
}

export const useRecoveryCodeField = () => useCodeField<RecoveryCode>(parseRecoveryCode);

/** The six digits of an authenticator-app code, whatever spaces or dashes were typed with them. */
export function parseAuthenticatorCode(text: string): string {
  const digits = text.replace(/\D/g, '');
  if (digits.length !== 6) throw new LatchkeyError('invalid_request', 'Enter the 6-digit code your authenticator app shows now.');
  return digits;
}

/** A backup code as printed; dashes and spaces do not matter, but it must be long enough to be one. */
export function parseBackupCode(text: string): string {
  const code = text.trim();
  if (code.replace(/[\s-]/g, '').length < 8)
    throw new LatchkeyError('invalid_request', 'Enter one of your backup codes, as printed (dashes and spaces do not matter).');
  return code;
}
