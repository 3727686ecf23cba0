/**
 * The account's recovery code (docs/protocol.md §14.4, §15): status and reminders, set up / replace (re-authenticate
 * → the code shown once with copy, save and print → "I stored it" → confirm by re-entering it),
 * check, split into share cards, and delete.
 *
 * The code exists only in this page's state while it is shown and confirmed; leaving the page
 * (or the app locking) forgets it. Until confirmation the new code is pending on the server and
 * does not work, and the previous code (if any) keeps working, so abandoning setup changes
 * nothing. Files are written only when the person presses a button, as browser downloads.
 */
import { useState } from 'react';
import type { RecoveryCode } from '@latchkey/core/recovery-code';
import { useApp } from '../../app-context.tsx';
import { useRecoveryStatus } from '../../recovery-status.tsx';
import { Overview } from './Overview.tsx';
import { Setup } from './Setup.tsx';
import { Check } from './Check.tsx';
import { Split } from './Split.tsx';
import { Delete } from './Delete.tsx';

export type Mode = { kind: 'overview'; notice?: string } | { kind: 'setup' } | { kind: 'check' } | { kind: 'split'; code?: RecoveryCode } | { kind: 'delete' };

export function RecoveryCodePage() {
  const { phase } = useApp();
  const { status, refresh } = useRecoveryStatus();
  const [mode, setMode] = useState<Mode>({ kind: 'overview' });
  if (phase.kind !== 'unlocked') return null;
  const account = phase.account;
  const back = (notice?: string) => {
    setMode({ kind: 'overview', ...(notice ? { notice } : {}) });
    void refresh();
  };

  switch (mode.kind) {
    case 'setup':
      return (
        <Setup
          account={account}
          hadActive={status?.status === 'active'}
          onCancel={() => back()}
          onSplit={(code) => setMode({ kind: 'split', code })}
          onFinish={back}
        />
      );
    case 'check':
      return <Check onBack={back} />;
    case 'split':
      return <Split account={account} code={mode.code} onBack={() => back()} />;
    case 'delete':
      return <Delete onBack={back} />;
    case 'overview':
      return <Overview status={status} notice={mode.notice} onMode={setMode} />;
  }
}
