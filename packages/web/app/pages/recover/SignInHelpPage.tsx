/** "Having trouble signing in?" (`/signin-help`): the options when signing in does not work (docs/protocol.md §14.5). */
import { useApp } from '../../app-context.tsx';
import { PageHeading } from '../../components/ui.tsx';
import { AppLink } from './RecoverParts.tsx';

export function SignInHelp() {
  const { navigate } = useApp();
  return (
    <main className="narrow">
      <PageHeading>Having trouble signing in?</PageHeading>
      <section className="help-option">
        <h2>Forgot your account password, or lost your Secret Key?</h2>
        <p>
          If you set up a recovery code, use it with access to your email to choose a new account password. You get a new Secret Key, and everything in your
          vaults stays as it is.
        </p>
        <button type="button" onClick={() => navigate('/recover')}>
          Use recovery code
        </button>
      </section>
      <section className="help-option">
        <h2>Only the Secret Key is missing?</h2>
        <p>
          Your Secret Key is on your Emergency Kit, and every browser or device where you signed in before remembers it. Signing in there only asks for your
          password.
        </p>
      </section>
      <section className="help-option">
        <h2>No recovery code?</h2>
        <p>
          Nobody can reset your password for you: not even whoever runs this server can read your data. If your account belongs to a family or team, an
          organizer or administrator may be able to help.
        </p>
      </section>
      <p>
        <AppLink to="/">Back to sign in</AppLink>
      </p>
    </main>
  );
}
