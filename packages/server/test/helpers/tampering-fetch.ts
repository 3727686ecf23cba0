/**
 * Test helper: a malicious server in front of a real one. The SDK is given this `fetch`; every
 * request reaches the real server, and the answer is handed to `tamper` first, which may return
 * a different JSON body (what a server with its own database and code could send). Used by the
 * malicious-server suite to show the SDK refuses each forgery with a stable error code.
 *
 *   const mitm = tamperingFetch();
 *   const client = sdkClient(server.url, { fetch: mitm.fetch });
 *   mitm.tamper = (call, body) => (call.method === 'GET' && call.path === '/api/vaults' ? forged : undefined);
 */
import type { Fetch } from '@latchkey/client/http';

export interface Call {
  readonly method: string;
  /** The path without the query string, e.g. `/api/vaults/<id>/items`. */
  readonly path: string;
  readonly requestBody: unknown;
}

/** Returns the body to hand the client instead of `body`, or `undefined` to pass the real answer on. */
export type Tamper = (call: Call, body: unknown) => unknown;

export interface TamperingFetch {
  readonly fetch: Fetch;
  tamper: Tamper | undefined;
  /** Every answer the real server gave, in order, as the client would have seen it untouched. */
  readonly seen: Array<{ call: Call; status: number; body: unknown }>;
}

export function tamperingFetch(): TamperingFetch {
  const state: TamperingFetch = {
    tamper: undefined,
    seen: [],
    fetch: async (input, init) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      const real = await globalThis.fetch(input, init);
      const text = await real.text();
      const body: unknown = text === '' ? undefined : JSON.parse(text);
      const call: Call = { method: init?.method ?? 'GET', path: url.pathname, requestBody: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined };
      state.seen.push({ call, status: real.status, body });
      const replaced = real.ok && state.tamper !== undefined ? state.tamper(call, structuredClone(body)) : undefined;
      return new Response(replaced === undefined ? text : JSON.stringify(replaced), { status: real.status, headers: { 'content-type': 'application/json' } });
    },
  };
  return state;
}
