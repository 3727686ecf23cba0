/**
 * The signed-in account's Emergency Kit again (issue 15 item 8): its details with this device's
 * Secret Key, for a new copy of a lost or never-saved kit. The account password is asked first:
 * re-authenticating proves the person is at the keyboard, and that the Secret Key this device
 * remembers is still the account's (a key changed elsewhere fails with `wrong_secret_key`), so
 * the kit printed is one that works.
 */
import type { EmergencyKitInput } from './emergency-kit.ts';
import type { ClientContext } from './context.ts';
import { resolveSecretKey, unlock } from './sign-in.ts';

/** @throws LatchkeyError `wrong_password`, `wrong_secret_key`, `not_signed_in`, `secret_key_required`, `network_error`. */
export async function currentEmergencyKit(ctx: ClientContext, password: string): Promise<EmergencyKitInput> {
  const account = await unlock(ctx, password);
  const secretKey = await resolveSecretKey(ctx, account.email);
  return { signInAddress: ctx.api.baseUrl, email: account.email, name: account.name, secretKey };
}
