/** Sign-in for a passkey account this browser is a trusted device of: the passkey, nothing typed (§24.10). */
import { PageHeading, ErrorMessage, Progress } from '../../components/ui.tsx';
import { useSignIn } from './useSignIn.ts';
import { OtherAccountLinks } from './SignInParts.tsx';

export function PasskeySignIn({
  email,
  others,
  notice,
  onChoose,
  onForget,
}: {
  email: string;
  others: string[];
  notice?: string | undefined;
  onChoose: (email: string) => void;
  onForget: () => Promise<void>;
}) {
  const { busy, error, errorId, runPasskey, prompt } = useSignIn();
  if (prompt) return prompt;
  return (
    <main className="narrow">
      <PageHeading takeFocus={false}>Sign in to Latchkey</PageHeading>
      {notice ? <p className="notice">{notice}</p> : null}
      <p>
        Signing in as <strong>{email}</strong> with your passkey. Your browser asks for your fingerprint, face or device PIN; this browser's own key then opens
        your account.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void runPasskey(email);
        }}
      >
        <ErrorMessage message={error} id={errorId} />
        <Progress text={busy ? 'Signing in with your passkey…' : undefined} />
        <button type="submit" disabled={busy}>
          Sign in with a passkey
        </button>
      </form>
      <OtherAccountLinks email={email} others={others} onChoose={onChoose} onForget={onForget} />
    </main>
  );
}
