/**
 * Locks the app after a period without input. Ten minutes by default; the person (or a test)
 * may choose a shorter time through the `latchkey.idleLockSeconds` localStorage setting, but
 * never a longer one, so the setting cannot weaken the default.
 */
export const DEFAULT_IDLE_LOCK_SECONDS = 600;
const MIN_IDLE_LOCK_SECONDS = 2;
const SETTING = 'latchkey.idleLockSeconds';
const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'mousemove'] as const;

export function idleLockSeconds(): number {
  let configured: number;
  try {
    configured = Number(localStorage.getItem(SETTING) ?? DEFAULT_IDLE_LOCK_SECONDS);
  } catch {
    return DEFAULT_IDLE_LOCK_SECONDS;
  }
  if (!Number.isFinite(configured)) return DEFAULT_IDLE_LOCK_SECONDS;
  return Math.min(DEFAULT_IDLE_LOCK_SECONDS, Math.max(MIN_IDLE_LOCK_SECONDS, configured));
}

/** Calls `onIdle` once after `seconds` without input; returns a function that stops watching. */
export function watchIdle(seconds: number, onIdle: () => void): () => void {
  let last = Date.now();
  const touch = () => {
    last = Date.now();
  };
  for (const type of ACTIVITY_EVENTS) window.addEventListener(type, touch, { passive: true, capture: true });
  // Polling the elapsed time (rather than one long timeout) also catches a laptop that slept.
  const timer = window.setInterval(() => {
    if (Date.now() - last >= seconds * 1000) {
      stop();
      onIdle();
    }
  }, 1000);
  const stop = () => {
    window.clearInterval(timer);
    for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, touch, { capture: true });
  };
  return stop;
}
