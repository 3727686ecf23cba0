/**
 * Locks the app after a period without input: ten minutes by default, what the person chose
 * on the Settings page otherwise (settings.ts).
 */
const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'mousemove'] as const;

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
