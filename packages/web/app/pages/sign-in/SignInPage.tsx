/**
 * Sign-in. On a browser that knows the account (its Secret Key is remembered here) only the
 * account password is asked. On a new browser: email, Secret Key and password, where the
 * email and Secret Key can be filled from the Emergency Kit's setup code (pasted text, or a
 * scanned QR code's text).
 */
import { useEffect, useState } from 'react';
import { useApp } from '../../app-context.tsx';
import { forgetAccount, knownAccounts } from '../../latchkey.ts';
import { Progress } from '../../components/ui.tsx';
import { KnownBrowserSignIn } from './KnownBrowserSignIn.tsx';
import { NewBrowserSignIn } from './NewBrowserSignIn.tsx';

export function SignInPage({ notice }: { notice?: string | undefined }) {
  const { latchkey } = useApp();
  const [known, setKnown] = useState<string[] | undefined>();
  const [chosen, setChosen] = useState<string | 'new'>();

  useEffect(() => {
    void knownAccounts(latchkey).then(setKnown, () => setKnown([]));
  }, [latchkey]);

  if (known === undefined) return <Progress text="Loading…" />;
  const email = chosen ?? known[0] ?? 'new';
  if (email === 'new' || !known.includes(email)) return <NewBrowserSignIn notice={notice} onBack={known.length > 0 ? () => setChosen(known[0]) : undefined} />;
  return (
    <KnownBrowserSignIn
      notice={notice}
      email={email}
      others={known.filter((e) => e !== email)}
      onChoose={setChosen}
      onForget={async () => {
        await forgetAccount(latchkey, email);
        setKnown(known.filter((e) => e !== email));
        setChosen(undefined);
      }}
    />
  );
}
