/**
 * The password health report over every vault this account can open (docs/protocol.md §8.5):
 * the items are listed and decrypted here, and the weak, reused and old passwords are found on
 * this device by `@latchkey/core/password-health`. Nothing about the passwords, not even which
 * items share one, is sent anywhere.
 */
import { passwordHealthReport, type HealthOptions, type PasswordHealthReport } from '@latchkey/core/password-health';
import type { ClientContext } from './context.ts';
import { listItems } from './items.ts';

export async function passwordHealth(ctx: ClientContext, options: HealthOptions = {}): Promise<PasswordHealthReport> {
  return passwordHealthReport(await listItems(ctx), options);
}
