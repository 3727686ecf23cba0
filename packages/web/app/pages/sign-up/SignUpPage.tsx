/**
 * Sign-up in three steps: the email address (we send a code), the code with name and account
 * password, then the new Secret Key with an explanation and an Emergency Kit the person
 * chooses to download. Nothing is saved to disk unless they press the button. "Sign up with a
 * passkey" takes the passkey path instead (PasskeySignUp: code and name, recovery code, passkey).
 */
import { useState } from 'react';
import type { AccountProfile } from '@latchkey/core/wire/auth';
import type { SecretKey } from '@latchkey/core/secret-key';
import { EmailStep } from './EmailStep.tsx';
import { PasskeySignUp } from './PasskeySignUp.tsx';
import { DetailsStep } from './DetailsStep.tsx';
import { SecretKeyStep } from './SecretKeyStep.tsx';

type Step =
  | { kind: 'email' }
  | { kind: 'details'; email: string }
  | { kind: 'passkey'; email: string }
  | { kind: 'secret-key'; email: string; name: string; secretKey: SecretKey; account: AccountProfile };

export function SignUpPage() {
  const [step, setStep] = useState<Step>({ kind: 'email' });
  if (step.kind === 'email') return <EmailStep onSent={(email, method) => setStep({ kind: method === 'passkey' ? 'passkey' : 'details', email })} />;
  if (step.kind === 'passkey') return <PasskeySignUp email={step.email} onBack={() => setStep({ kind: 'email' })} />;
  if (step.kind === 'details')
    return (
      <DetailsStep
        email={step.email}
        onBack={() => setStep({ kind: 'email' })}
        onCreated={(done) => setStep({ kind: 'secret-key', email: step.email, ...done })}
      />
    );
  return <SecretKeyStep email={step.email} name={step.name} secretKey={step.secretKey} account={step.account} />;
}
