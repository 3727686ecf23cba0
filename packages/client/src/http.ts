/**
 * The SDK's HTTP transport: JSON in and out, bearer session token, and every failure turned into
 * a `LatchkeyError` with the server's stable code (or `network_error` when there is no answer).
 */
import { LatchkeyError, isErrorCode } from '@latchkey/core/errors';

export type Fetch = typeof fetch;

export class ApiClient {
  readonly baseUrl: string;
  private readonly fetchImpl: Fetch;
  token: string | undefined;

  constructor(baseUrl: string, fetchImpl: Fetch = globalThis.fetch.bind(globalThis)) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.fetchImpl = fetchImpl;
  }

  /** Throws `LatchkeyError` with the server's code, or `network_error`. */
  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await this.fetchImpl(this.baseUrl + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (cause) {
      throw new LatchkeyError('network_error', `Could not reach the Latchkey server at ${this.baseUrl}.`, { cause });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch (cause) {
      throw new LatchkeyError('network_error', `The server at ${this.baseUrl} answered with something that is not JSON (HTTP ${response.status}).`, { cause });
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: Record<string, unknown> } } | undefined)?.error;
      const code = isErrorCode(error?.code) ? error.code : response.status >= 500 ? 'internal' : 'invalid_request';
      const message = typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`;
      throw new LatchkeyError(code, message, error?.details ? { details: error.details } : undefined);
    }
    return parsed as T;
  }
}
