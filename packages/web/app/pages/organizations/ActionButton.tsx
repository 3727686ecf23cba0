import type { ReactNode } from 'react';
import type { Act, Describe } from './use-action.ts';

/** A button that runs one of the Organizations area's actions through `act`; disabled while any runs. */
export function ActionButton({
  act,
  busy,
  run,
  describe,
  className,
  children,
}: {
  readonly act: Act;
  readonly busy: boolean;
  readonly run: () => Promise<string | undefined>;
  readonly describe?: Describe;
  readonly className?: string;
  readonly children: ReactNode;
}) {
  return (
    <button type="button" className={className} disabled={busy} onClick={() => void act(run, describe)}>
      {children}
    </button>
  );
}
