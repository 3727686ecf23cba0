/**
 * Route schemas are compiled on a route's first use (src/http/lazy-schema-compilers.ts), so a
 * schema the compilers cannot compile would no longer stop the server from starting: it would
 * be a 500 on that route's first call. These tests compile every endpoint's schemas up front
 * with the same compilers and options, and check that a lazily compiled route validates and
 * serializes as the server's answers require.
 */
import { describe, expect, it } from 'vitest';
import { ErrorBody } from '@latchkey/core/wire/common';
import { ENDPOINTS } from '@latchkey/core/wire/endpoints';
import { AJV_OPTIONS } from '../src/app.ts';
import { defaultSchemaCompilers } from '../src/http/lazy-schema-compilers.ts';
import { send, startTestServer } from '@latchkey/server/testing';

describe('schemas compiled on first use', () => {
  it("every endpoint's body, parameters and answers compile with the server's compilers", () => {
    const { buildValidator, buildSerializer } = defaultSchemaCompilers();
    const validator = buildValidator({}, AJV_OPTIONS);
    const serializer = buildSerializer({}, {});
    for (const endpoint of ENDPOINTS) {
      const route = { method: endpoint.method, url: endpoint.path };
      if (endpoint.body) expect(typeof validator({ ...route, schema: endpoint.body, httpPart: 'body' }), endpoint.name).toBe('function');
      if (endpoint.params) expect(typeof validator({ ...route, schema: endpoint.params, httpPart: 'params' }), endpoint.name).toBe('function');
      expect(typeof serializer({ ...route, schema: endpoint.response, httpStatus: String(endpoint.status) }), endpoint.name).toBe('function');
      const error = serializer({ ...route, schema: ErrorBody, httpStatus: '4xx' });
      expect(error({ error: { code: 'not_found', message: 'm', extra: 'dropped' } }), endpoint.name).toBe('{"error":{"code":"not_found","message":"m"}}');
    }
  });

  it('a route validates from its first call on, the same on every later call', async () => {
    const server = await startTestServer();
    try {
      for (let call = 0; call < 2; call++) {
        const refused = await send(server, { method: 'POST', path: '/api/signup/start', body: { email: 42 } });
        expect(refused.status, `call ${call}`).toBe(400);
        expect((refused.json as { error: { code: string } }).error.code).toBe('invalid_request');
      }
    } finally {
      await server.close();
    }
  });
});
