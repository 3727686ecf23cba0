/**
 * `KeyDerivation` in a Web Worker: OPAQUE's finish steps run Argon2id (64 MiB, t = 3, p = 4),
 * which takes around a second in WebAssembly. Running it off the main thread keeps the page
 * responsive and lets it show progress. The start steps run there too, so the OPAQUE
 * WebAssembly module (~310 kB) is never part of the page's scripts: the worker fetches it with
 * itself, on the first sign-in, unlock or credential change, from the browser's cache after that.
 *
 * A start step's worker is kept for the finish step that follows (a few seconds later, after
 * one request to the server), so the WebAssembly module is compiled once per sign-in; the
 * worker holds no state between messages, so any kept worker serves any finish step. A finish
 * step's worker is terminated when it answers, and a kept one after `KEEP_MS` at the latest, so
 * the Argon2 memory and the password input it saw do not linger in a long-lived worker heap.
 */
import type { KeyDerivation } from '@latchkey/client/key-derivation';
import type { DerivationRequest, DerivationResponse } from './key-derivation.worker.ts';

type Listener = (busy: boolean) => void;

/** How long a start step's worker waits for its finish step before it is terminated. */
const KEEP_MS = 60_000;

export class WorkerKeyDerivation implements KeyDerivation {
  private readonly listeners = new Set<Listener>();
  private running = 0;
  private kept: { worker: Worker; timer: number } | undefined;

  /** Called with `true` when a derivation starts and `false` when none is running. */
  onBusyChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  startLogin(password: string) {
    return this.run({ op: 'startLogin', password }, 'keep') as Promise<{ clientLoginState: string; startLoginRequest: string }>;
  }

  startRegistration(password: string) {
    return this.run({ op: 'startRegistration', password }, 'keep') as Promise<{ clientRegistrationState: string; registrationRequest: string }>;
  }

  finishLogin(params: { clientLoginState: string; loginResponse: string; password: string }) {
    return this.run({ op: 'finishLogin', params }) as Promise<{ finishLoginRequest: string; sessionKey: string; exportKey: string } | undefined>;
  }

  finishRegistration(params: { clientRegistrationState: string; registrationResponse: string; password: string }) {
    return this.run({ op: 'finishRegistration', params }) as Promise<{ registrationRecord: string; exportKey: string }>;
  }

  private setBusy(delta: number): void {
    const was = this.running > 0;
    this.running += delta;
    const is = this.running > 0;
    if (was !== is) for (const listener of this.listeners) listener(is);
  }

  /** The kept worker if there is one, else a new one. */
  private take(): Worker {
    const kept = this.kept;
    this.kept = undefined;
    if (kept === undefined) return new Worker(new URL('./key-derivation.worker.ts', import.meta.url), { type: 'module', name: 'latchkey-key-derivation' });
    window.clearTimeout(kept.timer);
    return kept.worker;
  }

  private keep(worker: Worker): void {
    this.kept?.worker.terminate();
    window.clearTimeout(this.kept?.timer);
    const timer = window.setTimeout(() => {
      if (this.kept?.worker === worker) this.kept = undefined;
      worker.terminate();
    }, KEEP_MS);
    this.kept = { worker, timer };
  }

  private run(request: DerivationRequest, after: 'keep' | 'terminate' = 'terminate'): Promise<unknown> {
    this.setBusy(1);
    const worker = this.take();
    let ok = false;
    return new Promise<unknown>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<DerivationResponse>) => {
        ok = event.data.ok;
        if (event.data.ok) resolve(event.data.result);
        else reject(new Error(`Key derivation failed: ${event.data.error}`));
      };
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(`Key derivation worker failed: ${event.message}`));
      };
      worker.postMessage(request);
    }).finally(() => {
      if (after === 'keep' && ok) this.keep(worker);
      else worker.terminate();
      this.setBusy(-1);
    });
  }
}
