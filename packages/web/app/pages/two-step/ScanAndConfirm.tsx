/**
 * The authenticator app's setup: the QR code, the setup key as text, and the first code it shows,
 * which turns it on. Confirming needs a recent re-authentication; someone who took longer than
 * that to scan is asked for the account password here, beside the code, instead of starting over.
 */
import { useState, type FormEvent } from 'react';
import { LatchkeyError } from '@latchkey/core/errors';
import { useApp } from '../../app-context.tsx';
import { describeTwoStepError } from '../../errors.ts';
import { CopyButton, ErrorMessage, Field, PageHeading, Progress } from '../../components/ui.tsx';
import { AccountPasswordField } from '../../components/PasswordField.tsx';
import { parseAuthenticatorCode } from '../../components/useCodeField.ts';
import { QrCode, type DrawnQrCode } from './QrCode.tsx';

/** The secret in groups of 4 for typing into an app by hand. */
const groupSecret = (secret: string): string => secret.replace(/(.{4})(?=.)/g, '$1 ');

export function ScanAndConfirm({
  secret,
  uri,
  qr,
  onCancel,
  onConfirmed,
}: {
  secret: string;
  uri: string;
  qr: DrawnQrCode;
  onCancel: () => void;
  onConfirmed: (codes: string[]) => void;
}) {
  const { latchkey, handleSignedOut } = useApp();
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [needsPassword, setNeedsPassword] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    let otp: string;
    try {
      otp = parseAuthenticatorCode(code);
    } catch {
      return setError('Enter the 6-digit code your authenticator app shows for Latchkey.');
    }
    if (needsPassword && password === '') return setError('Enter your account password, then the code the app shows now.');
    setBusy(true);
    setError(undefined);
    try {
      if (needsPassword) {
        await latchkey.client.unlock(password);
        setPassword('');
        setNeedsPassword(false);
      }
      onConfirmed(await latchkey.client.twoStep.confirmTotp(otp));
    } catch (e) {
      if (handleSignedOut(e)) return;
      const code = e instanceof LatchkeyError ? e.code : undefined;
      if (code === 'reauthentication_required') setNeedsPassword(true);
      setError(
        code === 'invalid_code'
          ? 'That code is not right. Enter the code the app shows now; if it keeps failing, check that the time on your phone is set automatically.'
          : code === 'reauthentication_required'
            ? 'It has been a while since you entered your account password. Enter it again, with the code the app shows now.'
            : code === 'wrong_password'
              ? 'That account password is not right. Check Caps Lock and try again.'
              : describeTwoStepError(e),
      );
      setBusy(false);
    }
  };
  return (
    <main className="narrow two-step">
      <PageHeading>Scan this QR code</PageHeading>
      <ol className="setup-steps">
        <li>Open the authenticator app on your phone and add an account (often a “+” button).</li>
        <li>Scan this QR code with the app. If you cannot scan, enter the setup key below by hand (time-based, 6 digits, every 30 seconds).</li>
        <li>Type the 6-digit code the app now shows for Latchkey.</li>
      </ol>
      <div className="qr-block">
        <QrCode qr={qr} label="QR code for your authenticator app" />
        <div className="manual">
          <p className="label">Setup key</p>
          <p className="mono totp-secret" data-testid="totp-secret" data-secret={secret}>
            {groupSecret(secret)}
          </p>
          <CopyButton text={secret} what="Setup key" label="Copy setup key" />
          <details>
            <summary>Setup link (otpauth://)</summary>
            <p className="mono totp-uri" data-testid="totp-uri">
              {uri}
            </p>
          </details>
        </div>
      </div>
      <p className="hint">Keep this key to yourself: anyone with it can make your codes. It is not shown again after setup.</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        {needsPassword && <AccountPasswordField value={password} onChange={setPassword} />}
        <Field label="Code from the app" inputMode="numeric" autoComplete="one-time-code" maxLength={7} value={code} onChange={setCode} />
        <ErrorMessage message={error} />
        <Progress text={busy ? 'Checking the code…' : undefined} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Turn on
          </button>
          <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </main>
  );
}
