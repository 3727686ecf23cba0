/**
 * The SDK's transport against a server that answers wrongly (a fake `fetch`; every other SDK
 * test talks to a real server). For every endpoint of the table, each malformed or unexpected
 * answer is `invalid_server_response` and never another exception; no answer at all is
 * `network_error`; a well-formed error is thrown with its code.
 */
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { LatchkeyError } from '@latchkey/core/errors';
import type { ItemId, SessionId, VaultId } from '@latchkey/core/ids';
import type { Endpoint } from '@latchkey/core/wire/endpoint';
import { ENDPOINTS, endpoints } from '@latchkey/core/wire/endpoints';
import type { TObject } from '@sinclair/typebox';
import { ApiClient, type Fetch } from '../src/http.ts';

interface Answer {
  readonly status: number;
  /** Sent as it is; not necessarily JSON. */
  readonly text: string;
}

interface Sent {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

function fakeServer(answer: Answer | (() => Promise<Response>)): { fetch: Fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch: Fetch = async (input, init) => {
    sent.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: init?.body as string | undefined,
    });
    if (typeof answer === 'function') return answer();
    // `new Response` refuses a body with 1xx, 204 and 304; those are sent without one.
    const bodyless = answer.status < 200 || answer.status === 204 || answer.status === 304;
    return new Response(bodyless ? null : answer.text, { status: answer.status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, sent };
}

/** The arguments `call` takes for this endpoint; what is in them does not matter to a fake server. */
function argsFor(endpoint: Endpoint): unknown[] {
  const params =
    endpoint.params === undefined ? undefined : Object.fromEntries(Object.keys((endpoint.params as TObject).properties).map((name) => [name, `${name}/value`]));
  if (params !== undefined) return [{ params, ...(endpoint.body !== undefined ? { body: {} } : {}) }];
  return endpoint.body !== undefined ? [{}] : [];
}

/** Calls any endpoint with whatever it takes (the typed `call` needs a known endpoint). */
const callAny = (api: ApiClient, endpoint: Endpoint) => (api.call as (e: Endpoint, ...args: unknown[]) => Promise<unknown>)(endpoint, ...argsFor(endpoint));

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The malformed and unexpected answers every endpoint is fed. */
function badAnswers(endpoint: Endpoint): Array<[string, Answer]> {
  const ok = endpoint.status;
  const schema = endpoint.response as TObject;
  const required = schema.required ?? [];
  const answers: Array<[string, Answer]> = [
    ['an empty body', { status: ok, text: '' }],
    ['HTML', { status: ok, text: '<!doctype html><title>Hello</title>' }],
    ['truncated JSON', { status: ok, text: '{"a":' }],
    ['JSON null', { status: ok, text: 'null' }],
    ['a JSON string', { status: ok, text: '"ok"' }],
    ['a JSON number', { status: ok, text: '42' }],
    ['a JSON array', { status: ok, text: '[]' }],
    ['an error body with the success status', { status: ok, text: JSON.stringify({ error: { code: 'not_found', message: 'No.' } }) }],
    ['another success status', { status: ok === 200 ? 201 : 200, text: '{}' }],
    ['204 No Content', { status: 204, text: '' }],
    ['a redirect', { status: 302, text: '' }],
    ['an error without a body', { status: 400, text: '' }],
    ['an error body without a code', { status: 400, text: JSON.stringify({ error: { message: 'Bad.' } }) }],
    ['an error body without a message', { status: 404, text: JSON.stringify({ error: { code: 'not_found' } }) }],
    ['an error that is a string', { status: 409, text: JSON.stringify({ error: 'conflict' }) }],
    ['an error code that is a number', { status: 418, text: JSON.stringify({ error: { code: 42, message: 'Teapot.' } }) }],
    ['an error code no client knows', { status: 401, text: JSON.stringify({ error: { code: 'try_harder', message: 'Nope.' } }) }],
    ['an HTML error page', { status: 500, text: '<html><body>Internal Server Error</body></html>' }],
    ['a JSON error page of some other server', { status: 500, text: JSON.stringify({ statusCode: 500, message: 'boom' }) }],
  ];
  if (required.length > 0) {
    answers.push(['an object missing every field', { status: ok, text: '{}' }]);
    answers.push([
      'every field of the wrong type',
      { status: ok, text: JSON.stringify(Object.fromEntries(required.map((name) => [name, { unexpected: 1 }]))) },
    ]);
  }
  return answers;
}

describe('ApiClient.call against a server that answers wrongly', () => {
  it.each(ENDPOINTS.map((e) => [e.name, e] as const))('%s: every malformed or unexpected answer is invalid_server_response', async (_name, endpoint) => {
    const cases = badAnswers(endpoint);
    for (const [label, answer] of cases) {
      const server = fakeServer(answer);
      const error = await failureOf(callAny(new ApiClient('https://latchkey.test', server.fetch), endpoint));
      expect(error, `${label}: a LatchkeyError`).toBeInstanceOf(LatchkeyError);
      expect((error as LatchkeyError).code, `${label}: ${(error as Error).message}`).toBe('invalid_server_response');
      expect((error as LatchkeyError).message, label).toContain(`${endpoint.method} ${endpoint.path}`);
      expect(server.sent.length, label).toBe(1);
    }
    // The cases that stand for a wrong shape really are wrong for this schema.
    for (const [label, answer] of cases.filter(([, a]) => a.status === endpoint.status)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(answer.text);
      } catch {
        continue;
      }
      expect(Value.Check(endpoint.response, parsed), label).toBe(false);
    }
  });

  it('sends the method, the path with its parameters encoded, the JSON body and the session token', async () => {
    const server = fakeServer({ status: 200, text: JSON.stringify({ id: '6f1c2a7e-1111-4222-8333-444455556666', version: 4 }) });
    const api = new ApiClient('https://latchkey.test/', server.fetch);
    api.token = 'token-of-the-session-0123456789';
    // Not a uuid on purpose: the path encoding is what is under test, not the schema.
    const params = { vaultId: 'a/b?c' as VaultId, itemId: '9d8c7b6a-0000-4111-8222-333344445555' as ItemId };
    await expect(api.call(endpoints.updateItem, { params, body: { expectedVersion: 3, ciphertext: 'AAAA' } })).resolves.toEqual({
      id: '6f1c2a7e-1111-4222-8333-444455556666',
      version: 4,
    });
    expect(server.sent[0]).toEqual({
      url: 'https://latchkey.test/api/vaults/a%2Fb%3Fc/items/9d8c7b6a-0000-4111-8222-333344445555',
      method: 'PUT',
      headers: { accept: 'application/json', 'content-type': 'application/json', authorization: 'Bearer token-of-the-session-0123456789' },
      body: JSON.stringify({ expectedVersion: 3, ciphertext: 'AAAA' }),
    });
  });

  it('sends no body and no content type when the endpoint takes none', async () => {
    const server = fakeServer({ status: 200, text: JSON.stringify({ revoked: 1 }) });
    await expect(new ApiClient('https://latchkey.test', server.fetch).call(endpoints.revokeSession, { params: { id: 'x' as SessionId } })).resolves.toEqual({
      revoked: 1,
    });
    expect(server.sent[0]!.body).toBeUndefined();
    expect(server.sent[0]!.headers).toEqual({ accept: 'application/json' });
  });

  it('throws a well-formed error with its code, message and details', async () => {
    const server = fakeServer({
      status: 429,
      text: JSON.stringify({ error: { code: 'rate_limited', message: 'Slow down.', details: { retryAfterSeconds: 30 } } }),
    });
    const error = await failureOf(
      new ApiClient('https://latchkey.test', server.fetch).call(endpoints.loginStart, {
        email: 'a@b.c',
        secretKeyVerifier: '0'.repeat(64),
        startLoginRequest: 'AAAA',
      }),
    );
    expect(error).toBeInstanceOf(LatchkeyError);
    expect({ code: (error as LatchkeyError).code, message: (error as LatchkeyError).message, details: (error as LatchkeyError).details }).toEqual({
      code: 'rate_limited',
      message: 'Slow down.',
      details: { retryAfterSeconds: 30 },
    });
  });

  it('is network_error when there is no answer: no connection, a body cut off, a gateway page', async () => {
    const refused = fakeServer(() => Promise.reject(new TypeError('fetch failed')));
    const cutOff = fakeServer(async () => new Response(new ReadableStream({ start: (c) => c.error(new Error('connection reset')) }), { status: 200 }));
    const gateway = fakeServer({ status: 502, text: '<html><body>502 Bad Gateway</body></html>' });
    for (const server of [refused, cutOff, gateway]) {
      const error = await failureOf(new ApiClient('https://latchkey.test', server.fetch).call(endpoints.account));
      expect(error).toBeInstanceOf(LatchkeyError);
      expect((error as LatchkeyError).code).toBe('network_error');
    }
  });
});
