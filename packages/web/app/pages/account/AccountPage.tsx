/**
 * The account (docs/protocol.md §11): change the account password or the Secret Key while signed in.
 * Both ask for the current password first (re-authenticate: it proves the owner is at the
 * keyboard, and the SDK unlocks with it before re-wrapping the same keyset). Both sign out every
 * other session. Neither password nor Secret Key is ever sent: the SDK registers OPAQUE anew.
 *
 * A new Secret Key exists only in this page's state while it is shown (and in this browser's
 * store, where the SDK remembers it); leaving the page forgets the displayed copy. The
 * Emergency Kit is written only when the person presses the button.
 */
import { useState } from 'react';
import type { SecretKey } from '@latchkey/core/secret-key';
import { useApp } from '../../app-context.tsx';
import { Overview } from './Overview.tsx';
import { ChangePassword } from './ChangePassword.tsx';
import { ChangeSecretKey } from './ChangeSecretKey.tsx';
import { NewSecretKey } from './NewSecretKey.tsx';
import { DownloadEmergencyKit } from './DownloadEmergencyKit.tsx';
import { otherSessionsText } from './other-sessions-text.ts';

export type Mode =
  | { kind: 'overview'; notice?: string }
  | { kind: 'password' }
  | { kind: 'secret-key' }
  | { kind: 'emergency-kit' }
  | { kind: 'new-secret-key'; secretKey: SecretKey; signedOutSessions: number };

export function AccountPage() {
  const { phase } = useApp();
  const [mode, setMode] = useState<Mode>({ kind: 'overview' });
  if (phase.kind !== 'unlocked') return null;
  const account = phase.account;
  const back = (notice?: string) => setMode({ kind: 'overview', ...(notice ? { notice } : {}) });

  switch (mode.kind) {
    case 'password':
      return (
        <ChangePassword
          onCancel={() => back()}
          onChanged={(n) => back(`Password changed; ${otherSessionsText(n)}. Use your new password from now on, on every device.`)}
        />
      );
    case 'secret-key':
      return (
        <ChangeSecretKey
          onCancel={() => back()}
          onChanged={(secretKey, signedOutSessions) => setMode({ kind: 'new-secret-key', secretKey, signedOutSessions })}
        />
      );
    case 'emergency-kit':
      return (
        <DownloadEmergencyKit
          onCancel={() => back()}
          onSaved={() => back('Your browser is saving your Emergency Kit. Print it or store it safely; never write your password into a saved copy.')}
        />
      );
    case 'new-secret-key':
      return (
        <NewSecretKey
          account={account}
          secretKey={mode.secretKey}
          signedOutSessions={mode.signedOutSessions}
          onDone={() => back(`Secret Key changed; ${otherSessionsText(mode.signedOutSessions)}. Sign in on other devices with your new Emergency Kit.`)}
        />
      );
    case 'overview':
      return <Overview account={account} notice={mode.notice} onMode={setMode} />;
  }
}
