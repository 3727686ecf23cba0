/**
 * The second step of two-step verification: a code from the authenticator app, a backup code,
 * or the security key, offered according to the methods the account has. Used when signing in
 * (the SDK asks for a proof, and asks again after a wrong code) and when changing factors
 * while signed in (a proof by an enrolled factor).
 */
import { useCallback, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { TwoStepProof } from '@latchkey/client/client';
import { LatchkeyError } from '@latchkey/core/errors';
import { authenticationCeremony, browserSupportsWebAuthn } from '../webauthn.ts';
import { describeInputError } from '../errors.ts';
import { ErrorMessage, Field, PageHeading, Progress } from './ui.tsx';
import { parseAuthenticatorCode, parseBackupCode } from './useCodeField.ts';

export type Method = 'totp' | 'security-key' | 'backup-code';
/** What the person chose; the security key ceremony is run by whoever receives it. */
export type Choice = { otp: string } | { backupCode: string } | { securityKey: true };

/** The proof methods in words, e.g. for a prompt's introduction. */
export function proofMethodsText(methods: readonly string[]): string {
  const words = [
    methods.includes('totp') ? 'a code from your authenticator app' : undefined,
    methods.includes('security-key') ? 'your security key' : undefined,
    methods.includes('backup-code') ? 'one of your backup codes' : undefined,
  ].filter((w): w is string => w !== undefined);
  if (words.length === 0) return 'one of your enrolled methods';
  return words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')}, or ${words.at(-1)!}`;
}

export function TwoStepForm({
  methods,
  onSubmit,
  onCancel,
  cancelLabel = 'Cancel',
  busy,
  busyText,
  error,
  headingLevel = 1,
  title = 'Two-step verification',
  intro,
}: {
  methods: readonly string[];
  onSubmit: (choice: Choice) => void;
  onCancel?: () => void;
  cancelLabel?: string;
  busy: boolean;
  busyText?: string;
  error: string | undefined;
  headingLevel?: 1 | 2;
  title?: string;
  intro?: ReactNode;
}) {
  const hasTotp = methods.includes('totp');
  const hasKey = methods.includes('security-key');
  const hasBackup = methods.includes('backup-code');
  const [mode, setMode] = useState<Method>(hasTotp ? 'totp' : hasKey ? 'security-key' : 'backup-code');
  const [code, setCode] = useState('');
  const [localError, setLocalError] = useState<string>();
  const switchTo = (next: Method) => {
    setMode(next);
    setCode('');
    setLocalError(undefined);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setLocalError(undefined);
    if (mode === 'security-key') return onSubmit({ securityKey: true });
    let choice: Choice;
    try {
      choice = mode === 'totp' ? { otp: parseAuthenticatorCode(code) } : { backupCode: parseBackupCode(code) };
    } catch (e) {
      return setLocalError(describeInputError(e));
    }
    onSubmit(choice);
  };

  const heading = headingLevel === 1 ? <PageHeading>{title}</PageHeading> : <h2>{title}</h2>;
  const others = (
    <div className="actions small">
      {mode !== 'totp' && hasTotp ? (
        <button type="button" className="link" onClick={() => switchTo('totp')} disabled={busy}>
          Use your authenticator app
        </button>
      ) : null}
      {mode !== 'security-key' && hasKey ? (
        <button type="button" className="link" onClick={() => switchTo('security-key')} disabled={busy}>
          Use your security key
        </button>
      ) : null}
      {mode !== 'backup-code' && hasBackup ? (
        <button type="button" className="link" onClick={() => switchTo('backup-code')} disabled={busy}>
          Use a backup code
        </button>
      ) : null}
    </div>
  );

  return (
    <section className="two-step" aria-label={title}>
      {heading}
      {intro ? <p>{intro}</p> : null}
      <form onSubmit={submit} noValidate>
        {mode === 'totp' ? (
          <Field
            label="Code from your authenticator app"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={7}
            autoFocus
            value={code}
            onChange={setCode}
            hint="Open the authenticator app on your phone and type the 6-digit code shown for Latchkey."
          />
        ) : mode === 'backup-code' ? (
          <Field
            label="Backup code"
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="off"
            autoFocus
            value={code}
            onChange={setCode}
            hint="One of the codes you saved or printed when you turned on two-step verification. Each code works once."
          />
        ) : (
          <p>
            {browserSupportsWebAuthn()
              ? 'Insert or hold your security key near this device, then press the button below and touch the key when it blinks.'
              : 'This browser cannot use security keys. Use another method.'}
          </p>
        )}
        <ErrorMessage message={localError ?? error} />
        <Progress text={busy ? (mode === 'security-key' ? 'Waiting for your security key…' : (busyText ?? 'Checking…')) : undefined} />
        <div className="actions">
          <button type="submit" disabled={busy || (mode === 'security-key' && !browserSupportsWebAuthn())}>
            {mode === 'security-key' ? 'Use security key' : 'Verify'}
          </button>
          {onCancel ? (
            <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
              {cancelLabel}
            </button>
          ) : null}
        </div>
      </form>
      {others}
    </section>
  );
}

/** Why the last proof failed, in words for the person (the SDK asks again only after `invalid_code`). */
function retryMessage(last: Choice | undefined): string {
  if (last !== undefined && 'backupCode' in last) return 'That backup code is not right, or it was already used. Check it and try again, or use another code.';
  if (last !== undefined && 'securityKey' in last)
    return 'Your security key was not accepted. Make sure it is the key you registered with this account, then try again.';
  return 'That code is not right. Enter the code your authenticator app shows now (check that the time on your phone is correct).';
}

/** The Cancel button on the sign-in prompt ends the sign-in with this. */
export class TwoStepCancelled extends Error {
  constructor() {
    super('Two-step verification was cancelled.');
    this.name = 'TwoStepCancelled';
  }
}

interface Pending {
  readonly methods: readonly string[];
  readonly resolve: (proof: TwoStepProof) => void;
  readonly reject: (error: unknown) => void;
  readonly retry: boolean;
}

/**
 * For `client.signIn({ twoStep })`: `ask` is the function the SDK calls with the account's
 * methods; it shows the prompt and resolves with what the person enters. `element` is the
 * prompt to render while it waits (undefined otherwise); call `close` when the sign-in ends.
 */
export function useTwoStepPrompt(): { ask: (methods: readonly string[]) => Promise<TwoStepProof>; element: ReactNode; close: () => void } {
  const [pending, setPending] = useState<Pending>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const asked = useRef(0);
  const last = useRef<Choice | undefined>(undefined);

  const ask = useCallback(
    (methods: readonly string[]) =>
      new Promise<TwoStepProof>((resolve, reject) => {
        const retry = asked.current > 0;
        asked.current += 1;
        setBusy(false);
        setError(retry ? retryMessage(last.current) : undefined);
        setPending({ methods, resolve, reject, retry });
      }),
    [],
  );

  const close = useCallback(() => {
    asked.current = 0;
    last.current = undefined;
    setPending(undefined);
    setBusy(false);
    setError(undefined);
  }, []);

  const submit = (choice: Choice) => {
    if (pending === undefined) return;
    last.current = choice;
    setBusy(true);
    setError(undefined);
    if ('securityKey' in choice) {
      pending.resolve({ securityKey: (options) => authenticationCeremony(options) });
    } else {
      pending.resolve(choice);
    }
  };

  const element =
    pending === undefined ? undefined : (
      <main className="narrow">
        <TwoStepForm
          methods={pending.methods}
          busy={busy}
          error={error}
          onSubmit={submit}
          onCancel={() => pending.reject(new TwoStepCancelled())}
          cancelLabel="Cancel sign-in"
          intro="Your password is right. This account also asks for a second step: prove it is you with one of the methods below."
        />
      </main>
    );
  return { ask, element, close };
}

/** True when the error only says the person cancelled the second step (nothing to report). */
export const isCancelled = (error: unknown) => error instanceof TwoStepCancelled;
/** For callers that want to tell a wrong proof apart from other failures. */
export const isWrongProof = (error: unknown) => error instanceof LatchkeyError && error.code === 'invalid_code';
