/**
 * `KeyDerivation` in a Web Worker: OPAQUE's finish steps run Argon2id (64 MiB, t = 3, p = 4),
 * which takes around a second in WebAssembly. Running it off the main thread keeps the page
 * responsive and lets it show progress.
 *
 * Each derivation gets a fresh worker that is terminated when it answers, so the Argon2 memory
 * and the password input it saw do not linger in a long-lived worker heap.
 */
import type { KeyDerivation } from '@latchkey/client/key-derivation';
import type { DerivationRequest, DerivationResponse } from './key-derivation.worker.ts';

type Listener = (busy: boolean) => void;

export class WorkerKeyDerivation implements KeyDerivation {
  private readonly listeners = new Set<Listener>();
  private running = 0;

  /** Called with `true` when a derivation starts and `false` when none is running. */
  onBusyChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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

  private run(request: DerivationRequest): Promise<unknown> {
    this.setBusy(1);
    const worker = new Worker(new URL('./key-derivation.worker.ts', import.meta.url), { type: 'module', name: 'latchkey-key-derivation' });
    return new Promise<unknown>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<DerivationResponse>) => {
        if (event.data.ok) resolve(event.data.result);
        else reject(new Error(`Key derivation failed: ${event.data.error}`));
      };
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(`Key derivation worker failed: ${event.message}`));
      };
      worker.postMessage(request);
    }).finally(() => {
      worker.terminate();
      this.setBusy(-1);
    });
  }
}
