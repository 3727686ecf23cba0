/**
 * The app's session state machine and navigation, shared with every page through context.
 *
 *   loading ─▶ signed-out ─(sign up / sign in)─▶ unlocked ─(lock / idle)─▶ locked ─(unlock)─▶ unlocked
 *                  ▲                                 │                        │
 *                  └────────────(sign out, or the session ended)──────────────┘
 *
 * Decrypted data lives only in the pages shown while unlocked; when the phase leaves
 * `unlocked` those pages unmount, and the SDK has already dropped its keys.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { AccountProfile } from '@latchkey/core/wire/auth';
import { createLatchkey, rememberedSessionEmail, type Latchkey } from './latchkey.ts';
import { SIGNED_OUT_CODES, errorCode } from './errors.ts';
import { watchIdle } from './idle-lock.ts';
import { applyTheme, readSettings, saveSetting, type Settings } from './settings.ts';

export type Phase =
  | { kind: 'loading' }
  | { kind: 'signed-out'; notice?: string }
  | { kind: 'locked'; email: string; notice?: string }
  | { kind: 'unlocked'; account: AccountProfile };

interface AppContextValue {
  readonly latchkey: Latchkey;
  readonly phase: Phase;
  readonly path: string;
  navigate(path: string, options?: { replace?: boolean }): void;
  /**
   * While set, asked before every in-app navigation: `false` keeps the person on the page. One
   * page at a time sets it (the sign-up's Secret Key before the kit is saved, useLeaveGuard.ts).
   */
  setLeaveGuard(guard: (() => boolean) | undefined): void;
  /** The SDK signed in or unlocked: show the vault. */
  unlocked(account: AccountProfile): void;
  lock(notice?: string): void;
  signOut(): Promise<void>;
  /** Call with any error from the SDK: if it means the session is gone, go to sign-in (the keys are gone: to unlock). Returns true if handled. */
  handleSignedOut(error: unknown): boolean;
  /** This browser's settings (settings.ts), and changing one: saved, and applied at once. */
  readonly settings: Settings;
  changeSetting<K extends keyof Settings>(key: K, value: Settings[K]): void;
}

const AppContext = createContext<AppContextValue | undefined>(undefined);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (value === undefined) throw new Error('useApp outside <AppProvider>');
  return value;
}

export function AppProvider({ children }: { children: ReactNode }) {
  const latchkey = useMemo(() => createLatchkey(), []);
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [settings, setSettings] = useState(readSettings);
  useEffect(() => applyTheme(settings.theme), [settings.theme]);
  const changeSetting = useCallback(<K extends keyof Settings>(key: K, value: Settings[K]) => {
    saveSetting(key, value);
    setSettings((current) => ({ ...current, [key]: value }));
  }, []);
  const [path, setPath] = useState(() => window.location.pathname + window.location.search);

  const leaveGuard = useRef<(() => boolean) | undefined>(undefined);
  const setLeaveGuard = useCallback((guard: (() => boolean) | undefined) => {
    leaveGuard.current = guard;
  }, []);

  const shownPath = useRef(path);
  shownPath.current = path;
  useEffect(() => {
    const onPop = () => {
      // The browser's Back has already changed the address: staying means putting it back.
      if (leaveGuard.current !== undefined && !leaveGuard.current()) {
        window.history.pushState(null, '', shownPath.current);
        return;
      }
      setPath(window.location.pathname + window.location.search);
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const navigate = useCallback((to: string, options: { replace?: boolean } = {}) => {
    if (to === window.location.pathname + window.location.search) return;
    if (leaveGuard.current !== undefined && !leaveGuard.current()) return;
    if (options.replace) window.history.replaceState(null, '', to);
    else window.history.pushState(null, '', to);
    setPath(to);
  }, []);

  useEffect(() => {
    void (async () => {
      const email = await rememberedSessionEmail(latchkey).catch(() => undefined);
      setPhase(email === undefined ? { kind: 'signed-out' } : { kind: 'locked', email });
    })();
  }, [latchkey]);

  const lock = useCallback(
    (notice?: string) => {
      latchkey.client.lock();
      setPhase((current) => (current.kind === 'unlocked' ? { kind: 'locked', email: current.account.email, ...(notice ? { notice } : {}) } : current));
    },
    [latchkey],
  );

  const endSession = useCallback(
    async (notice?: string) => {
      // Forget the session locally even if the server cannot be told.
      await latchkey.client.signOut().catch(async () => {
        latchkey.client.lock();
        const state = await latchkey.store.read();
        delete state.session;
        await latchkey.store.write(state);
      });
      setPhase({ kind: 'signed-out', ...(notice ? { notice } : {}) });
      navigate('/', { replace: true });
    },
    [latchkey, navigate],
  );

  const handleSignedOut = useCallback(
    (error: unknown) => {
      const code = errorCode(error);
      // Still signed in, but the keys are gone (locked meanwhile): back to the unlock page, not to sign-in.
      if (code === 'client_locked') {
        lock();
        return true;
      }
      if (code === undefined || !SIGNED_OUT_CODES.has(code)) return false;
      void endSession('Your session ended (it expired, or was signed out from another device). Sign in again to continue.');
      return true;
    },
    [endSession, lock],
  );

  // Lock after a period without input while unlocked.
  useEffect(() => {
    if (phase.kind !== 'unlocked') return;
    if (settings.idleLockSeconds === null) return;
    return watchIdle(settings.idleLockSeconds, () => lock('Locked after a period without activity.'));
  }, [phase.kind, lock, settings.idleLockSeconds]);

  const value: AppContextValue = {
    latchkey,
    phase,
    path,
    navigate,
    setLeaveGuard,
    unlocked: (account) => setPhase({ kind: 'unlocked', account }),
    lock,
    signOut: () => endSession(),
    handleSignedOut,
    settings,
    changeSetting,
  };
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}
