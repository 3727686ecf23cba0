/**
 * Sign-in on a browser that remembers the account's Secret Key: only the account password. If
 * the server no longer accepts that Secret Key (changed on another device, or the account was
 * recovered), `onSecretKeyChanged` takes over and the page asks for the new one.
 */
import { useState } from 'react';
import { PageHeading } from '../../components/ui.tsx';
import { AccountPasswordField } from '../../components/PasswordField.tsx';
import { useSignIn } from './useSignIn.ts';
import { OtherAccountLinks, SignInButton } from './SignInParts.tsx';

export function KnownBrowserSignIn({
  email,
  others,
  notice,
  onChoose,
  onForget,
  onSecretKeyChanged,
}: {
  email: string;
  others: string[];
  notice?: string | undefined;
  onChoose: (email: string) => void;
  onForget: () => Promise<void>;
  onSecretKeyChanged: (password: string) => void;
}) {
  const [password, setPassword] = useState('');
  const { busy, error, errorId, tie, run, prompt } = useSignIn({ onWrongSecretKey: onSecretKeyChanged });
  if (prompt) return prompt;
  return (
    <main className="narrow">
      <PageHeading takeFocus={false}>Sign in to Latchkey</PageHeading>
      {notice ? <p className="notice">{notice}</p> : null}
      <p>
        Signing in as <strong>{email}</strong>. This browser remembers your Secret Key, so only your account password is needed.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run({ email, password });
        }}
      >
        <input type="email" autoComplete="username" value={email} readOnly hidden />
        <AccountPasswordField autoFocus value={password} {...tie('password', setPassword)} />
        <SignInButton busy={busy} error={error} errorId={errorId} />
      </form>
      <OtherAccountLinks email={email} others={others} onChoose={onChoose} onForget={onForget} />
    </main>
  );
}
