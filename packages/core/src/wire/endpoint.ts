/**
 * What one HTTP endpoint of the protocol is: method, path, who may call it, the schemas of its
 * path parameters, request body and successful answer, and its success status. The server
 * registers its routes from these (validation, authentication, the re-authentication gate,
 * the OpenAPI document) and the SDK calls them (paths, types, checking every answer), so the
 * two sides cannot disagree about a route. The table itself is `endpoints.ts`.
 */
import type { Static, TSchema } from '@sinclair/typebox';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * Who may call an endpoint (docs/protocol.md §20):
 * - `public`: anyone; a token, if sent, is ignored.
 * - `session`: a full session (`Authorization: Bearer`); a session still waiting for its
 *   second step gets `second_factor_required`.
 * - `session-allowing-pending-two-step`: also a waiting session; only the endpoints that
 *   finish or abandon a sign-in (docs/protocol.md §16.5).
 */
export type EndpointAuth = 'public' | 'session' | 'session-allowing-pending-two-step';

export type SuccessStatus = 200 | 201 | 202;

export interface Endpoint<
  Params extends TSchema | undefined = TSchema | undefined,
  Body extends TSchema | undefined = TSchema | undefined,
  Response extends TSchema = TSchema,
  Auth extends EndpointAuth = EndpointAuth,
  Reauth extends boolean = boolean,
> {
  readonly method: HttpMethod;
  /** With `:name` for each path parameter, e.g. `/api/vaults/:vaultId/items`. */
  readonly path: string;
  readonly summary: string;
  /** The OpenAPI tag that groups it. */
  readonly tag: string;
  readonly auth: Auth;
  /**
   * The session must have re-authenticated (unlocked) within the last 5 minutes, else `403
   * reauthentication_required` before anything else happens (docs/protocol.md §12). Only
   * with `auth: 'session'`.
   */
  readonly requireRecentReauth: Reauth;
  readonly params: Params;
  readonly body: Body;
  /** The schema of the answer with `status`; failures are the one error body (`ErrorBody`). */
  readonly response: Response;
  readonly status: SuccessStatus;
  /** The largest request body this endpoint takes, in bytes, where it is above the server's default (1 MiB). */
  readonly bodyLimit: number | undefined;
  /**
   * Also an enrollment session (a passkey-authenticated new device, docs/protocol.md §24.7):
   * only the relay's endpoints the new device uses. Every other endpoint refuses one
   * (`device_not_trusted`).
   */
  readonly allowsEnrollmentSession: boolean;
}

/** An endpoint of the table, with its name there (the OpenAPI `operationId`). */
export type NamedEndpoint<E extends Endpoint = Endpoint, N extends string = string> = E & { readonly name: N };

export interface EndpointSpec<
  Params extends TSchema | undefined,
  Body extends TSchema | undefined,
  Response extends TSchema,
  Auth extends EndpointAuth,
  Reauth extends boolean,
> {
  readonly method: HttpMethod;
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly auth: Auth;
  readonly requireRecentReauth?: Reauth;
  readonly params?: Params;
  readonly body?: Body;
  readonly response: Response;
  /** 200 unless said. */
  readonly status?: SuccessStatus;
  readonly bodyLimit?: number;
  readonly allowsEnrollmentSession?: boolean;
}

/** An endpoint with its defaults filled in: no parameters, no body, status 200, no re-authentication. */
export function defineEndpoint<
  Response extends TSchema,
  Auth extends EndpointAuth,
  Body extends TSchema | undefined = undefined,
  Params extends TSchema | undefined = undefined,
  Reauth extends boolean = false,
>(spec: EndpointSpec<Params, Body, Response, Auth, Reauth>): Endpoint<Params, Body, Response, Auth, Reauth> {
  if (spec.requireRecentReauth === true && spec.auth !== 'session') {
    throw new Error(`${spec.method} ${spec.path}: only a full session can have re-authenticated recently.`);
  }
  if (spec.allowsEnrollmentSession === true && spec.auth !== 'session') {
    throw new Error(`${spec.method} ${spec.path}: an enrollment session is a session; a public endpoint needs none.`);
  }
  const names = pathParameterNames(spec.path);
  const declared = spec.params === undefined ? [] : Object.keys((spec.params as { properties?: object }).properties ?? {});
  if (names.join() !== declared.join()) {
    throw new Error(`${spec.method} ${spec.path}: the path parameters (${names.join(', ')}) and the params schema (${declared.join(', ')}) differ.`);
  }
  return {
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    tag: spec.tag,
    auth: spec.auth,
    requireRecentReauth: (spec.requireRecentReauth ?? false) as Reauth,
    params: spec.params as Params,
    body: spec.body as Body,
    response: spec.response,
    status: spec.status ?? 200,
    bodyLimit: spec.bodyLimit,
    allowsEnrollmentSession: spec.allowsEnrollmentSession === true,
  };
}

/** Names every endpoint after its key in the table. */
export function nameEndpoints<T extends Record<string, Endpoint>>(table: T): { readonly [K in keyof T & string]: NamedEndpoint<T[K], K> } {
  return Object.fromEntries(Object.entries(table).map(([name, endpoint]) => [name, { ...endpoint, name }])) as {
    readonly [K in keyof T & string]: NamedEndpoint<T[K], K>;
  };
}

/** `['vaultId', 'itemId']` for `/api/vaults/:vaultId/items/:itemId`. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
}

type StaticOr<T extends TSchema | undefined, Otherwise> = T extends TSchema ? Static<T> : Otherwise;

/** The request body an endpoint takes (`undefined` when it takes none). */
export type EndpointBody<E extends Endpoint> = StaticOr<E['body'], undefined>;
/** Its path parameters (`undefined` when it has none). */
export type EndpointParams<E extends Endpoint> = StaticOr<E['params'], undefined>;
/** What it answers on success. */
export type EndpointResponse<E extends Endpoint> = Static<E['response']>;
