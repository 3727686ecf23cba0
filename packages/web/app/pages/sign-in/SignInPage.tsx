/**
 * Sign-in. On a browser that knows the account (its Secret Key is remembered here) only the
 * account password is asked. On a new browser: email, Secret Key and password, where the
 * email and Secret Key can be filled from the Emergency Kit's setup code (pasted text, or a
 * scanned QR code's text). A passkey account this browser is a trusted device of signs in with
 * its passkey alone (PasskeySignIn).
 */
import { useEffect, useState } from 'react';
import { useApp } from '../../app-context.tsx';
import { forgetAccount, knownAccounts } from '../../latchkey.ts';
import { forgetPasskeyAccount, passkeyAccounts } from '../../platform/device-key.ts';
import { Progress } from '../../components/ui.tsx';
import { KnownBrowserSignIn } from './KnownBrowserSignIn.tsx';
import { NewBrowserSignIn } from './NewBrowserSignIn.tsx';
import { PasskeySignIn } from './PasskeySignIn.tsx';

export function SignInPage({ notice }: { notice?: string | undefined }) {
  const { latchkey } = useApp();
  const [known, setKnown] = useState<string[] | undefined>();
  const [passkeys, setPasskeys] = useState<string[]>([]);
  const [chosen, setChosen] = useState<string | 'new'>();
  /** The remembered Secret Key of this account was refused: ask for the new one (the password typed is kept for the retry). */
  const [staleKey, setStaleKey] = useState<{ email: string; password: string }>();

  useEffect(() => {
    void (async () => {
      const withPasskey = await passkeyAccounts(latchkey.server).catch(() => []);
      const withPassword = await knownAccounts(latchkey).catch(() => []);
      setPasskeys(withPasskey);
      setKnown([...new Set([...withPasskey, ...withPassword])]);
    })();
  }, [latchkey]);

  if (known === undefined) return <Progress text="Loading…" />;
  const email = chosen ?? known[0] ?? 'new';
  if (staleKey !== undefined && staleKey.email === email) return <NewBrowserSignIn notice={notice} staleKey={staleKey} onBack={() => setStaleKey(undefined)} />;
  if (email === 'new' || !known.includes(email)) return <NewBrowserSignIn notice={notice} onBack={known.length > 0 ? () => setChosen(known[0]) : undefined} />;
  const Known = passkeys.includes(email) ? PasskeySignIn : KnownBrowserSignIn;
  return (
    <Known
      key={email}
      notice={notice}
      email={email}
      others={known.filter((e) => e !== email)}
      onChoose={setChosen}
      onSecretKeyChanged={(password) => setStaleKey({ email, password })}
      onForget={async () => {
        await forgetAccount(latchkey, email);
        await forgetPasskeyAccount(latchkey.server, email);
        setKnown(known.filter((e) => e !== email));
        setChosen(undefined);
      }}
    />
  );
}
