/**
 * The person's settings for this browser, kept in localStorage (they are not secret and not
 * synced): when the app locks itself, how long a copy stays on the clipboard, and the theme.
 * Every value is read through a range check, so a hand-edited or stale value cannot make the
 * app lock later than 8 hours, keep a copy longer than 10 minutes, or break.
 */

export interface Settings {
  /** Seconds without input before the app locks; `null`: only when the browser closes (or the tab is reloaded). */
  readonly idleLockSeconds: number | null;
  readonly clipboardClearSeconds: number;
  readonly theme: Theme;
}

export type Theme = 'system' | 'light' | 'dark';

export const DEFAULT_SETTINGS: Settings = { idleLockSeconds: 600, clipboardClearSeconds: 30, theme: 'system' };

// Below what the Settings page offers, so tests can see a lock or a clear happen in seconds.
const IDLE_LOCK_RANGE = { min: 2, max: 8 * 3600 };
const CLIPBOARD_RANGE = { min: 1, max: 600 };
const KEYS = { idleLockSeconds: 'latchkey.idleLockSeconds', clipboardClearSeconds: 'latchkey.clipboardClearSeconds', theme: 'latchkey.theme' } as const;
const ON_BROWSER_CLOSE = 'browser-close';

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled: defaults
  }
}

function seconds(raw: string | null, range: { min: number; max: number }, fallback: number): number {
  const value = raw === null ? Number.NaN : Number(raw);
  return Number.isFinite(value) ? Math.min(range.max, Math.max(range.min, Math.round(value))) : fallback;
}

export function readSettings(): Settings {
  const idle = stored(KEYS.idleLockSeconds);
  const theme = stored(KEYS.theme);
  return {
    idleLockSeconds: idle === ON_BROWSER_CLOSE ? null : seconds(idle, IDLE_LOCK_RANGE, DEFAULT_SETTINGS.idleLockSeconds as number),
    clipboardClearSeconds: seconds(stored(KEYS.clipboardClearSeconds), CLIPBOARD_RANGE, DEFAULT_SETTINGS.clipboardClearSeconds),
    theme: theme === 'light' || theme === 'dark' ? theme : 'system',
  };
}

/** Saves one setting; the caller applies it (`applyTheme`, the idle watch restarting). */
export function saveSetting<K extends keyof Settings>(key: K, value: Settings[K]): void {
  const raw = key === 'idleLockSeconds' && value === null ? ON_BROWSER_CLOSE : String(value);
  try {
    localStorage.setItem(KEYS[key], raw);
  } catch {
    // Storage disabled: the setting lasts until the page is reloaded only, through the caller's state.
  }
}

/** Sets the theme on the document (styles.css reads `data-theme`; without it, the system's). */
export function applyTheme(theme: Theme): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}
