/**
 * Route schemas are compiled on a route's first use instead of all at start-up. Fastify
 * compiles a request validator (Ajv) and response serializers (fast-json-stringify) for every
 * route of the endpoint table when the server becomes ready; most routes of a small server are
 * called rarely or never, and the compiled code of all of them was a large part of its idle
 * memory (SPEC §7, docs/operations.md "Memory"). The compilers are Fastify's own defaults, found
 * beside Fastify, with the options the app gives them, so what is accepted, refused and sent is
 * exactly what it was: only when the compiling happens changes.
 */
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

/** What Fastify passes to a route's compiler (FastifyRouteSchemaDef). */
interface RouteSchema {
  readonly schema: unknown;
  readonly method: string;
  readonly url: string;
  readonly httpPart?: string;
  readonly httpStatus?: string;
  readonly contentType?: string;
}

interface Validator {
  (data: unknown): unknown;
  errors?: unknown;
}

type Serializer = (data: unknown) => string;
type RouteCompiler<T> = (route: RouteSchema) => T;
type CompilerFactory<T> = (externalSchemas: unknown, options: unknown) => RouteCompiler<T>;

// Fastify's default compilers, required only when the first route is compiled: Ajv and
// fast-json-stringify are themselves several MB of code that an idle server never runs. A
// synchronous require, because a serializer must answer synchronously; it happens once.
const requireFromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
let ajvCompiler: CompilerFactory<Validator> | undefined;
let serializerCompiler: CompilerFactory<Serializer> | undefined;

/** Fastify's default compilers, compiling at once (the tests compile every endpoint's schemas with them). */
export function defaultSchemaCompilers(): { buildValidator: CompilerFactory<Validator>; buildSerializer: CompilerFactory<Serializer> } {
  return {
    buildValidator: (externalSchemas, options) => {
      ajvCompiler ??= (requireFromFastify('@fastify/ajv-compiler') as () => CompilerFactory<Validator>)();
      return ajvCompiler(externalSchemas, options);
    },
    buildSerializer: (externalSchemas, options) => {
      serializerCompiler ??= (requireFromFastify('@fastify/fast-json-stringify-compiler') as () => CompilerFactory<Serializer>)();
      return serializerCompiler(externalSchemas, options);
    },
  };
}

/** A validator that compiles its schema when it first validates; Fastify reads `errors` off it after a refusal. */
function lazyValidator(route: RouteSchema, compiler: () => RouteCompiler<Validator>): Validator {
  let validate: Validator | undefined;
  const lazy: Validator = (data) => {
    validate ??= compiler()(route);
    const result = validate(data);
    lazy.errors = validate.errors;
    return result;
  };
  return lazy;
}

function lazySerializer(route: RouteSchema, compiler: () => RouteCompiler<Serializer>): Serializer {
  let serialize: Serializer | undefined;
  return (data) => {
    serialize ??= compiler()(route);
    return serialize(data);
  };
}

/** Fastify's `schemaController.compilersFactory`: its default compilers, each route's compiled on first use. */
export function lazySchemaCompilers(): CompilersFactory {
  const { buildValidator: buildAjvCompiler, buildSerializer: buildSerializerCompiler } = defaultSchemaCompilers();
  const buildValidator: CompilerFactory<Validator> = (externalSchemas, options) => {
    let compiler: RouteCompiler<Validator> | undefined;
    return (route) => lazyValidator(route, () => (compiler ??= buildAjvCompiler(externalSchemas, options)));
  };
  const buildSerializer: CompilerFactory<Serializer> = (externalSchemas, options) => {
    let compiler: RouteCompiler<Serializer> | undefined;
    return (route) => lazySerializer(route, () => (compiler ??= buildSerializerCompiler(externalSchemas, options)));
  };
  // Fastify's declared types for these factories are unions over Ajv and JTD modes; ours is the Ajv one.
  return { buildValidator, buildSerializer } as unknown as CompilersFactory;
}
