/**
 * The current one-time code of an item's TOTP secret (core/totp-code.ts), with the seconds it
 * has left and a Copy button; it changes by itself when the period turns over. Computed in the
 * browser: the secret never leaves it.
 */
import { useEffect, useState } from 'react';
import { currentTotp } from '@latchkey/core/totp-code';
import { CopyButton } from '../../components/ui.tsx';

function codeAt(secret: string, now: number): { code: string; secondsLeft: number } | undefined {
  try {
    return currentTotp(secret, now);
  } catch {
    return undefined;
  }
}

export function OneTimeCode({ secret }: { secret: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  const current = codeAt(secret, now);
  if (current === undefined) return <span className="value">This one-time password secret is not usable. Edit the item to replace it.</span>;
  const { code, secondsLeft } = current;
  const half = Math.ceil(code.length / 2);
  return (
    <>
      <span className="value mono one-time-code" data-code={code}>
        {code.slice(0, half)} {code.slice(half)}
      </span>
      {/* Not a live region: announcing every second would drown everything else out. */}
      <span className="countdown" title="Seconds until the next code">
        {secondsLeft} s
      </span>
      <CopyButton text={code} what="One-time code" />
    </>
  );
}
