/** The pieces both sign-in forms end with. */
import { useApp } from '../../app-context.tsx';
import { ErrorMessage, Progress } from '../../components/ui.tsx';

/** What went wrong, progress, and the button. */
export function SignInButton({ busy, error, errorId }: { busy: boolean; error: string | undefined; errorId: string }) {
  return (
    <>
      <ErrorMessage message={error} id={errorId} />
      <Progress text={busy ? 'Signing in… deriving your keys.' : undefined} />
      <button type="submit" disabled={busy}>
        Sign in
      </button>
    </>
  );
}

/** Links for someone who cannot sign in here, or has no account yet. */
export function HelpLinks() {
  const { navigate } = useApp();
  return (
    <>
      <a
        href="/signin-help"
        onClick={(e) => {
          e.preventDefault();
          navigate('/signin-help');
        }}
      >
        Having trouble signing in?
      </a>
      <a
        href="/signup"
        onClick={(e) => {
          e.preventDefault();
          navigate('/signup');
        }}
      >
        Create an account
      </a>
    </>
  );
}

/** Below a known browser's sign-in form (password or passkey): the other accounts it knows, another account, forgetting this one, help. */
export function OtherAccountLinks({
  email,
  others,
  onChoose,
  onForget,
}: {
  email: string;
  others: readonly string[];
  onChoose: (email: string) => void;
  onForget: () => Promise<void>;
}) {
  return (
    <div className="actions small">
      {others.map((other) => (
        <button key={other} type="button" className="link" onClick={() => onChoose(other)}>
          Sign in as {other}
        </button>
      ))}
      <button type="button" className="link" onClick={() => onChoose('new')}>
        Use another account
      </button>
      <button type="button" className="link" onClick={() => void onForget()}>
        Forget {email} on this browser
      </button>
      <HelpLinks />
    </div>
  );
}
