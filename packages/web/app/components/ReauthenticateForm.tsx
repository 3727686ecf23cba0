/**
 * "Re-authenticate first": the account password proves it is really the owner at the keyboard
 * before a sensitive change (the server wants a fresh unlock). Only the form: the caller holds
 * the state and decides what happens after the unlock.
 */
import type { ReactNode } from 'react';
import { ErrorMessage, Progress } from './ui.tsx';
import { AccountPasswordField } from './PasswordField.tsx';

export function ReauthenticateForm({
  children,
  password,
  onPasswordChange,
  error,
  busy,
  busyText,
  action,
  danger,
  onSubmit,
  onCancel,
}: {
  /** Why the password is asked, shown above the field. */
  children: ReactNode;
  password: string;
  onPasswordChange: (password: string) => void;
  error: string | undefined;
  busy: boolean;
  busyText: string;
  action: string;
  danger?: boolean | undefined;
  onSubmit: () => void;
  onCancel: () => void;
}) {
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
      aria-label="Re-authenticate"
    >
      {children}
      <AccountPasswordField autoFocus value={password} onChange={onPasswordChange} />
      <ErrorMessage message={error} />
      <Progress text={busy ? busyText : undefined} />
      <div className="actions">
        <button type="submit" className={danger ? 'danger' : ''} disabled={busy}>
          {action}
        </button>
        <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
