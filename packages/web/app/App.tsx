/** The app shell: header with navigation for the unlocked app, and which page to show when. */
import { TrashPage } from './pages/vault/TrashPage.tsx';
import { lazy, Suspense, useState } from 'react';
import { useApp } from './app-context.tsx';
import { Progress } from './components/ui.tsx';
import { SignInPage } from './pages/sign-in/SignInPage.tsx';
import { UnlockPage } from './pages/unlock/UnlockPage.tsx';
import { captureInvitationFromHash, pendingInvitation } from './pages/organizations/pending-invitation.ts';
import { RecoveryReminder, RecoveryStatusProvider } from './recovery-status.tsx';

// Sign-in and unlock are the first pages anyone sees: they load with the app. Every other page
// is its own chunk, fetched when first opened, so the first load stays small.
const SignUpPage = lazy(async () => ({ default: (await import('./pages/sign-up/SignUpPage.tsx')).SignUpPage }));
const SignInHelp = lazy(async () => ({ default: (await import('./pages/recover/SignInHelpPage.tsx')).SignInHelp }));
const RecoverPage = lazy(async () => ({ default: (await import('./pages/recover/RecoverPage.tsx')).RecoverPage }));
const VaultPage = lazy(async () => ({ default: (await import('./pages/vault/VaultPage.tsx')).VaultPage }));
const SessionsPage = lazy(async () => ({ default: (await import('./pages/sessions/SessionsPage.tsx')).SessionsPage }));
const GeneratorPage = lazy(async () => ({ default: (await import('./pages/generator/GeneratorPage.tsx')).GeneratorPage }));
const RecoveryCodePage = lazy(async () => ({ default: (await import('./pages/recovery-code/RecoveryCodePage.tsx')).RecoveryCodePage }));
const TwoStepPage = lazy(async () => ({ default: (await import('./pages/two-step/TwoStepPage.tsx')).TwoStepPage }));
const SettingsPage = lazy(async () => ({ default: (await import('./pages/settings/SettingsPage.tsx')).SettingsPage }));
const OrganizationsPage = lazy(async () => ({ default: (await import('./pages/organizations/OrganizationsPage.tsx')).OrganizationsPage }));
const VaultSharePage = lazy(async () => ({ default: (await import('./pages/organizations/VaultSharePage.tsx')).VaultSharePage }));
const InvitationPage = lazy(async () => ({ default: (await import('./pages/organizations/InvitationPage.tsx')).InvitationPage }));
const SecurityLogPage = lazy(async () => ({ default: (await import('./pages/security-log/SecurityLogPage.tsx')).SecurityLogPage }));
const ImportPage = lazy(async () => ({ default: (await import('./pages/import-export/ImportPage.tsx')).ImportPage }));
const ExportPage = lazy(async () => ({ default: (await import('./pages/import-export/ExportPage.tsx')).ExportPage }));
const HealthPage = lazy(async () => ({ default: (await import('./pages/health/HealthPage.tsx')).HealthPage }));
const DevicesPage = lazy(async () => ({ default: (await import('./pages/devices/DevicesPage.tsx')).DevicesPage }));
const AccountPage = lazy(async () => ({ default: (await import('./pages/account/AccountPage.tsx')).AccountPage }));

function NavLink({ to, children }: { to: string; children: string }) {
  const { path, navigate } = useApp();
  const current = to === '/' ? path === '/' || path.startsWith('/items') : path.startsWith(to);
  return (
    <a
      href={to}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

function Header() {
  const { phase, path, lock, signOut } = useApp();
  // On a phone the navigation and account buttons fold into a menu (styles.css). It is open for
  // the page it was opened on only, so choosing a page closes it.
  const [menuOpenOn, setMenuOpenOn] = useState<string>();
  const menuOpen = menuOpenOn === path;
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
          <button
            type="button"
            className="secondary menu-button"
            aria-expanded={menuOpen}
            aria-controls="main-menu"
            onClick={() => setMenuOpenOn(menuOpen ? undefined : path)}
          >
            Menu
          </button>
          <div id="main-menu" className={menuOpen ? 'menu open' : 'menu'}>
            <nav aria-label="Main">
              <NavLink to="/">Items</NavLink>
              <NavLink to="/generator">Generator</NavLink>
              <NavLink to="/health">Health</NavLink>
              <NavLink to="/organizations">Organizations</NavLink>
              <NavLink to="/import">Import</NavLink>
              <NavLink to="/export">Export</NavLink>
              <NavLink to="/account">Account</NavLink>
              <NavLink to="/two-step">Two-step verification</NavLink>
              <NavLink to="/recovery-code">Recovery code</NavLink>
              <NavLink to="/sessions">Sessions</NavLink>
              <NavLink to="/security-log">Security log</NavLink>
              <NavLink to="/settings">Settings</NavLink>
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
          </div>
        </>
      ) : null}
    </header>
  );
}

// An emailed invitation link (#/invitations/<code>) is kept through sign-in or sign-up.
captureInvitationFromHash();

/** `/vaults/<id>/share`: the share page of one vault. */
const sharedVaultId = (path: string) => /^\/vaults\/([^/?#]+)\/share$/.exec(path)?.[1];
/** `/vaults/<id>/trash`: the Trash of one vault. */
const trashVaultId = (path: string) => /^\/vaults\/([^/?#]+)\/trash$/.exec(path)?.[1];

function Page() {
  const { phase, path } = useApp();
  const [invitation, setInvitation] = useState(pendingInvitation);
  const sharingVault = sharedVaultId(path);
  const trashVault = trashVaultId(path);
  switch (phase.kind) {
    case 'loading':
      return <Progress text="Starting Latchkey…" />;
    case 'signed-out':
      if (path.startsWith('/signup')) return <SignUpPage />;
      if (path.startsWith('/signin-help')) return <SignInHelp />;
      if (path.startsWith('/recover')) return <RecoverPage />;
      return <SignInPage notice={phase.notice} />;
    case 'locked':
      return <UnlockPage email={phase.email} notice={phase.notice} />;
    case 'unlocked':
      if (invitation !== undefined) return <InvitationPage code={invitation} onDone={() => setInvitation(undefined)} />;
      if (path.startsWith('/organizations')) return <OrganizationsPage />;
      if (sharingVault !== undefined) return <VaultSharePage key={sharingVault} vaultId={sharingVault} />;
      if (trashVault !== undefined) return <TrashPage key={trashVault} vaultId={decodeURIComponent(trashVault)} />;
      if (path.startsWith('/sessions')) return <SessionsPage />;
      if (path.startsWith('/devices')) return <DevicesPage />;
      if (path.startsWith('/security-log')) return <SecurityLogPage />;
      if (path.startsWith('/generator')) return <GeneratorPage />;
      if (path.startsWith('/health')) return <HealthPage />;
      if (path.startsWith('/import')) return <ImportPage />;
      if (path.startsWith('/export')) return <ExportPage />;
      if (path.startsWith('/recovery-code')) return <RecoveryCodePage />;
      if (path.startsWith('/two-step')) return <TwoStepPage />;
      if (path.startsWith('/account')) return <AccountPage />;
      if (path.startsWith('/settings')) return <SettingsPage />;
      return <VaultPage />;
  }
}

export function App() {
  const { phase } = useApp();
  const content = (
    <>
      <Header />
      <div id="content">
        {phase.kind === 'unlocked' ? <RecoveryReminder /> : null}
        <Suspense fallback={<Progress text="Loading…" />}>
          <Page />
        </Suspense>
      </div>
    </>
  );
  // The recovery code status is the signed-in account's: loaded afresh at each unlock.
  return phase.kind === 'unlocked' ? <RecoveryStatusProvider key={phase.account.id}>{content}</RecoveryStatusProvider> : content;
}
