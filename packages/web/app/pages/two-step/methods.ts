import type { TwoStepStatus } from '@latchkey/core/wire/two-step';

/** The methods that can prove it is the owner while signed in, in the order the prompt offers them. */
export function methodsOf(status: TwoStepStatus): string[] {
  const methods: string[] = [];
  if (status.totp) methods.push('totp');
  if (status.securityKeys.length > 0) methods.push('security-key');
  if (status.enabled && status.backupCodesRemaining > 0) methods.push('backup-code');
  return methods;
}
