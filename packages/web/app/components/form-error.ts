/**
 * A form's one error, and the field it belongs to when there is one (issue 15 item 7): the
 * failing field is marked `aria-invalid`, described by the error's text, and focused (ui.tsx);
 * typing in it clears the error, since what it said is no longer true of what is typed.
 */
import { useCallback, useId, useState } from 'react';
import { LatchkeyError, type ErrorCode } from '@latchkey/core/errors';

export type FormField = 'email' | 'secretKey' | 'password' | 'newPassword' | 'newPasswordAgain' | 'code' | 'recoveryCode';

/** Which field a failure is about, by its stable code; undefined when it is about none in particular. */
const FIELD_OF: Partial<Record<ErrorCode, FormField>> = {
  wrong_password: 'password',
  wrong_secret_key: 'secretKey',
  secret_key_malformed: 'secretKey',
  secret_key_typo: 'secretKey',
  secret_key_required: 'secretKey',
  password_too_short: 'newPassword',
  password_too_weak: 'newPassword',
  invalid_code: 'code',
  code_expired: 'code',
  code_used: 'code',
  invalid_recovery_code: 'recoveryCode',
  recovery_code_typo: 'recoveryCode',
  recovery_code_malformed: 'recoveryCode',
};

export function failingField(error: unknown): FormField | undefined {
  return error instanceof LatchkeyError ? FIELD_OF[error.code] : undefined;
}

export interface FormError {
  readonly message: string;
  readonly field?: FormField | undefined;
}

/** What a field needs to be tied to the error: spread onto Field, SecretField or AccountPasswordField. */
export type TieField = (field: FormField, onChange: (value: string) => void) => { errorId: string | undefined; onChange: (value: string) => void };

export function useFormError() {
  const errorId = useId();
  const [failure, setFailure] = useState<FormError>();
  const setError = useCallback((message: string | undefined, field?: FormField) => {
    setFailure(message === undefined ? undefined : { message, field });
  }, []);
  const tie: TieField = (field, onChange) => ({
    errorId: failure?.field === field ? errorId : undefined,
    onChange: (value) => {
      if (failure?.field === field) setFailure(undefined);
      onChange(value);
    },
  });
  return { error: failure?.message, errorField: failure?.field, errorId, setError, tie };
}
