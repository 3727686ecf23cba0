/**
 * Copying secrets: what Latchkey puts on the clipboard is taken off again after a while
 * (30 seconds by default; settings.ts), but only if it is still there, so something the
 * person copied since from elsewhere is kept.
 *
 * Whether it is still there can be read only with the clipboard-read permission. Without it,
 * the clipboard is cleared anyway: a password left on the clipboard is the greater harm than a
 * clipboard emptied once. Asking for the permission just to check would show a prompt out of
 * nowhere, so it is never asked for.
 */
import { readSettings } from './settings.ts';

/** The one pending clear: a newer copy replaces it (and will clear its own text). */
let pendingClear: number | undefined;

async function mayReadClipboard(): Promise<boolean> {
  try {
    // 'clipboard-read' is not in every browser's PermissionName list.
    const status = await navigator.permissions.query({ name: 'clipboard-read' as PermissionName });
    return status.state === 'granted';
  } catch {
    return false;
  }
}

async function clearIfStillThere(copied: string): Promise<void> {
  if (await mayReadClipboard()) {
    try {
      if ((await navigator.clipboard.readText()) !== copied) return;
    } catch {
      // Reading failed after all (the page lost focus): clear as without the permission.
    }
  }
  try {
    await navigator.clipboard.writeText('');
  } catch {
    // The page is not focused: the browser refuses clipboard writes, and nothing more can be done.
  }
}

/**
 * Puts `text` on the clipboard and schedules taking it off.
 * @returns the seconds after which it is cleared.
 * @throws whatever the browser throws when it does not allow the copy.
 */
export async function copyToClipboard(text: string): Promise<number> {
  await navigator.clipboard.writeText(text);
  const seconds = readSettings().clipboardClearSeconds;
  if (pendingClear !== undefined) window.clearTimeout(pendingClear);
  pendingClear = window.setTimeout(() => {
    pendingClear = undefined;
    void clearIfStillThere(text);
  }, seconds * 1000);
  return seconds;
}
