import type { Vault } from '@latchkey/client/vaults';

/** Vaults this person may share: made for sharing (not Personal), owned or shared with them to manage. */
export const shareable = (vaults: readonly Vault[]): Vault[] => vaults.filter((v) => v.kind === 'shared' && (v.access === 'owner' || v.access === 'manage'));
