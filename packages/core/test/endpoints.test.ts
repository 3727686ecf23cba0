/** The endpoint table: well-formed entries, and docs/protocol.md §20 telling the truth about it. */
import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { defineEndpoint } from '../src/wire/endpoint.ts';
import { ENDPOINTS, routeKey } from '../src/wire/endpoints.ts';
import { organizationEndpoints } from '../src/wire/organization-endpoints.ts';
import { strictObject } from '../src/wire/common.ts';

describe('defineEndpoint', () => {
  const base = { method: 'GET', path: '/api/things/:thingId', tag: 't', summary: 's', response: Type.Object({}) } as const;

  it('fills in the defaults', () => {
    const e = defineEndpoint({ ...base, auth: 'session', params: strictObject({ thingId: Type.String() }) });
    expect({ status: e.status, requireRecentReauth: e.requireRecentReauth, body: e.body }).toEqual({
      status: 200,
      requireRecentReauth: false,
      body: undefined,
    });
  });

  it('refuses path parameters that the params schema does not name, and the other way round', () => {
    expect(() => defineEndpoint({ ...base, auth: 'session' })).toThrow(/path parameters/);
    expect(() => defineEndpoint({ ...base, auth: 'session', params: strictObject({ otherId: Type.String() }) })).toThrow(/path parameters/);
  });

  it('refuses a re-authentication requirement without a full session', () => {
    const params = strictObject({ thingId: Type.String() });
    expect(() => defineEndpoint({ ...base, params, auth: 'public', requireRecentReauth: true })).toThrow(/re-authenticated/);
    expect(() => defineEndpoint({ ...base, params, auth: 'session-allowing-pending-two-step', requireRecentReauth: true })).toThrow(/re-authenticated/);
  });
});

describe('the table', () => {
  it('has unique names and unique routes', () => {
    expect(new Set(ENDPOINTS.map((e) => e.name)).size).toBe(ENDPOINTS.length);
    expect(new Set(ENDPOINTS.map(routeKey)).size).toBe(ENDPOINTS.length);
  });

  it('puts every endpoint under /api and gives GET endpoints no body', () => {
    for (const e of ENDPOINTS) {
      expect(e.path, e.name).toMatch(/^\/api\//);
      if (e.method === 'GET') expect(e.body, e.name).toBeUndefined();
    }
  });
});

describe('the families and teams table (joins the table with its routes)', () => {
  const entries = Object.values(organizationEndpoints);

  it('has unique routes that clash with no other endpoint, all under /api for a full session', () => {
    expect(new Set(entries.map(routeKey)).size).toBe(entries.length);
    const taken = new Set(ENDPOINTS.map(routeKey));
    for (const e of entries) {
      // Before the routes exist the entry is not in the table; after, it is the same endpoint under the same name.
      const joined = ENDPOINTS.find((t) => t.name === e.name);
      if (joined === undefined) expect(taken.has(routeKey(e)), e.name).toBe(false);
      else expect(routeKey(joined), e.name).toBe(routeKey(e));
      expect(e.path, e.name).toMatch(/^\/api\//);
      expect(e.auth, e.name).toBe('session');
      if (e.method === 'GET' || e.method === 'DELETE') expect(e.body, e.name).toBeUndefined();
    }
  });
});

describe('docs/protocol.md §20', () => {
  const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## 20. HTTP API and errors'), doc.indexOf('## 21.'));
  const rows = new Map(
    [...section.matchAll(/^\| (GET|POST|PUT|DELETE) \| `([^`]+)` \| ([^|]+) \|/gm)].map((m) => [`${m[1]} ${m[2]!.replace(/\{(\w+)\}/g, ':$1')}`, m[3]!.trim()]),
  );

  it('lists every endpoint of the table, and no other /api route', () => {
    const apiRows = [...rows.keys()].filter((k) => k.includes(' /api/'));
    expect(apiRows.sort()).toEqual(ENDPOINTS.map(routeKey).sort());
  });

  it('says who may call each endpoint, and which need a recent re-authentication, as the table does', () => {
    for (const e of ENDPOINTS) {
      const auth = rows.get(routeKey(e))!;
      const who = e.auth === 'public' ? '–' : e.auth === 'session' ? 'bearer' : 'bearer (also a waiting session)';
      expect(auth.replace(/ \+ reauth.*$/, ''), e.name).toBe(who);
      expect(auth.includes('+ reauth'), `${e.name}: "+ reauth" in the auth column`).toBe(e.requireRecentReauth);
    }
  });
});
