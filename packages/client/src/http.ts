/**
 * The SDK's HTTP transport: calls an endpoint of the table (`@latchkey/core/wire/endpoints`)
 * with a JSON body and the bearer session token, and trusts nothing about the answer until it
 * has checked it. A success must have the endpoint's status and match its response schema; a
 * failure must be the one error body with a known code, which is thrown as that
 * `LatchkeyError`. Anything else (not JSON, the wrong shape, an unexpected status, an error
 * without a code) is `invalid_server_response`, so a broken or malicious server makes the SDK
 * fail with a clear code, never with a crash somewhere after a blind cast. No answer at all
 * (and a gateway's 502/503/504 page instead of the server's own answer) is `network_error`.
 *
 * The schemas are checked with TypeBox's `Check` (`Value.Check`), which interprets them: no code is
 * generated, so it runs under the web app's Content-Security-Policy (no `unsafe-eval`).
 */
import { Check } from '@sinclair/typebox/value';
import { LatchkeyError, isErrorCode } from '@latchkey/core/errors';
import { ErrorBody } from '@latchkey/core/wire/common';
import type { Endpoint, EndpointBody, EndpointParams, EndpointResponse } from '@latchkey/core/wire/endpoint';
import type { TSchema } from '@sinclair/typebox';

export type Fetch = typeof fetch;

/**
 * What `call` takes after the endpoint: nothing, the body, or (for an endpoint with path
 * parameters) `{ params, body }`.
 */
export type CallArgs<E extends Endpoint> = E['params'] extends TSchema
  ? [request: { readonly params: EndpointParams<E> } & (E['body'] extends TSchema ? { readonly body: EndpointBody<E> } : { readonly body?: undefined })]
  : E['body'] extends TSchema
    ? [body: EndpointBody<E>]
    : [];

/**
 * True when a failed call may still have taken effect on the server: there was no answer
 * (`network_error`), or one this client could not read (`invalid_server_response`). After a
 * write that failed this way, keep what is needed in case it did happen (a pending Secret Key).
 */
export function outcomeUnknown(error: unknown): boolean {
  return error instanceof LatchkeyError && (error.code === 'network_error' || error.code === 'invalid_server_response');
}

/** Gateways answer these with their own page when the server behind them does not answer. */
const GATEWAY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

export class ApiClient {
  readonly baseUrl: string;
  private readonly fetchImpl: Fetch;
  token: string | undefined;

  constructor(baseUrl: string, fetchImpl: Fetch = globalThis.fetch.bind(globalThis)) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.fetchImpl = fetchImpl;
  }

  /** The same server and transport, authenticated by `token` (an enrollment session) instead of this client's session. */
  withToken(token: string): ApiClient {
    const other = new ApiClient(this.baseUrl, this.fetchImpl);
    other.token = token;
    return other;
  }

  /**
   * Calls `endpoint` and returns its checked answer.
   * @throws LatchkeyError with the server's code; `network_error` without an answer;
   *   `invalid_server_response` for an answer that is not what the endpoint promises.
   */
  async call<E extends Endpoint>(endpoint: E, ...args: CallArgs<E>): Promise<EndpointResponse<E>> {
    const request = args[0] as { params?: Record<string, string>; body?: unknown } | undefined;
    const { params, body } = endpoint.params !== undefined ? (request ?? {}) : { params: undefined, body: request };
    const path = endpoint.path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params?.[name] ?? ''));
    const what = `${endpoint.method} ${endpoint.path}`;

    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    let status: number;
    let text: string;
    try {
      const response = await this.fetchImpl(this.baseUrl + path, {
        method: endpoint.method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      status = response.status;
      text = await response.text();
    } catch (cause) {
      throw new LatchkeyError('network_error', `Could not reach the Latchkey server at ${this.baseUrl}.`, { cause });
    }

    const invalid = (problem: string, cause?: unknown) =>
      new LatchkeyError('invalid_server_response', `The server at ${this.baseUrl} answered ${what} with ${problem}.`, {
        details: { status },
        ...(cause === undefined ? {} : { cause }),
      });
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch (cause) {
      if (GATEWAY_STATUSES.has(status))
        throw new LatchkeyError('network_error', `Could not reach the Latchkey server at ${this.baseUrl} (HTTP ${status} from a gateway).`, { cause });
      throw invalid(`something that is not JSON (HTTP ${status})`, cause);
    }

    if (status === endpoint.status) {
      if (!Check(endpoint.response, parsed)) throw invalid(`a body that is not what this endpoint answers (HTTP ${status})`);
      return parsed as EndpointResponse<E>;
    }
    if (status >= 400 && status <= 599) {
      if (!Check(ErrorBody, parsed)) throw invalid(`an error without a code and message (HTTP ${status})`);
      const { code, message, details } = parsed.error;
      if (!isErrorCode(code)) throw invalid(`an error code this client does not know (HTTP ${status})`);
      throw new LatchkeyError(code, message, details ? { details } : undefined);
    }
    throw invalid(`an unexpected HTTP status ${status}`);
  }
}
