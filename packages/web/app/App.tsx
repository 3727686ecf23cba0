/** The app shell: header with navigation for the unlocked app, and which page to show when. */
import { useApp } from './app-context.tsx';
import { Progress } from './components/ui.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { SignUp } from './pages/SignUp.tsx';
import { Unlock } from './pages/Unlock.tsx';
import { Vault } from './pages/Vault.tsx';
import { Sessions } from './pages/Sessions.tsx';
import { Generator } from './pages/Generator.tsx';
import { RecoveryCodePage } from './pages/RecoveryCode.tsx';
import { TwoFactorPage } from './pages/TwoFactor.tsx';
import { AccountPage } from './pages/Account.tsx';
import { Recover, SignInHelp } from './pages/Recover.tsx';
import { RecoveryReminder, RecoveryStatusProvider } from './recovery-status.tsx';

function NavLink({ to, children }: { to: string; children: string }) {
  const { path, navigate } = useApp();
  const current = to === '/' ? path === '/' || path.startsWith('/items') : path.startsWith(to);
  return (
    <a href={to} aria-current={current ? 'page' : undefined} onClick={(e) => (e.preventDefault(), navigate(to))}>
      {children}
    </a>
  );
}

function Header() {
  const { phase, lock, signOut } = useApp();
  return (
    <header className="top">
      <a className="skip" href="#content">
        Skip to content
      </a>
      <span className="brand" aria-hidden="true">
        Latchkey
      </span>
      {phase.kind === 'unlocked' ? (
        <>
          <nav aria-label="Main">
            <NavLink to="/">Items</NavLink>
            <NavLink to="/generator">Generator</NavLink>
            <NavLink to="/sessions">Sessions</NavLink>
            <NavLink to="/recovery-code">Recovery code</NavLink>
            <NavLink to="/two-step">Two-step verification</NavLink>
            <NavLink to="/account">Account</NavLink>
          </nav>
          <div className="account">
            <span className="who" title={phase.account.email}>
              {phase.account.email}
            </span>
            <button type="button" className="secondary" onClick={() => lock()}>
              Lock
            </button>
            <button type="button" className="secondary" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </>
      ) : null}
    </header>
  );
}

function Page() {
  const { phase, path } = useApp();
  switch (phase.kind) {
    case 'loading':
      return <Progress text="Starting Latchkey…" />;
    case 'signed-out':
      if (path.startsWith('/signup')) return <SignUp />;
      if (path.startsWith('/signin-help')) return <SignInHelp />;
      if (path.startsWith('/recover')) return <Recover />;
      return <SignIn notice={phase.notice} />;
    case 'locked':
      return <Unlock email={phase.email} notice={phase.notice} />;
    case 'unlocked':
      if (path.startsWith('/sessions')) return <Sessions />;
      if (path.startsWith('/generator')) return <Generator />;
      if (path.startsWith('/recovery-code')) return <RecoveryCodePage />;
      if (path.startsWith('/two-step')) return <TwoFactorPage />;
      if (path.startsWith('/account')) return <AccountPage />;
      return <Vault />;
  }
}

export function App() {
  const { phase } = useApp();
  const content = (
    <>
      <Header />
      <div id="content">
        {phase.kind === 'unlocked' ? <RecoveryReminder /> : null}
        <Page />
      </div>
    </>
  );
  // The recovery code status is the signed-in account's: loaded afresh at each unlock.
  return phase.kind === 'unlocked' ? <RecoveryStatusProvider key={phase.account.id}>{content}</RecoveryStatusProvider> : content;
}
