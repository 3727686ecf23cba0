/**
 * One place that turns every failure into `{"error":{"code","message"}}` with a stable code.
 * Domain errors keep their code; Fastify's own errors (bad JSON, schema violations, body too
 * large, wrong content type) get theirs; anything unexpected is a logged 500 whose message
 * reveals nothing.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_STATUS, LatchkeyError, type ErrorCode } from '@latchkey/core/errors';

interface ErrorReply {
  status: number;
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

const FASTIFY_CODES: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'body_too_large', message: 'The request body is too large.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', message: 'Send the request body as application/json.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'invalid_request', message: 'The Content-Length header does not match the body.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'invalid_request', message: 'The request body is empty; send a JSON object.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'malformed_json', message: 'The request body is not valid JSON.' },
  FST_ERR_BAD_URL: { code: 'invalid_request', message: 'The URL is not valid.' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'invalid_request', message: 'A value in the URL is too long.' },
};

export function toErrorReply(error: unknown): ErrorReply {
  if (error instanceof LatchkeyError) {
    return { status: ERROR_STATUS[error.code], code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
  }
  const e = error as Partial<FastifyError> & { validation?: Array<{ instancePath?: string; message?: string }>; validationContext?: string };
  if (e.validation !== undefined) {
    const first = e.validation[0];
    const where = `${e.validationContext ?? 'body'}${first?.instancePath ?? ''}`;
    return { status: 400, code: 'invalid_request', message: `Invalid request: ${where} ${first?.message ?? 'is invalid'}.` };
  }
  const known = e.code !== undefined ? FASTIFY_CODES[e.code] : undefined;
  if (known !== undefined) return { status: ERROR_STATUS[known.code], ...known };
  if (error instanceof SyntaxError || (e.statusCode === 400 && /JSON/i.test(e.message ?? ''))) {
    return { status: 400, code: 'malformed_json', message: 'The request body is not valid JSON.' };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, code: e.statusCode === 404 ? 'not_found' : 'invalid_request', message: 'The request is not valid.' };
  }
  return { status: 500, code: 'internal', message: 'Something went wrong on the server. Nothing was changed; try again.' };
}

/** Sends `error` in the one error format. Also Fastify's `frameworkErrors` (router errors that skip the error handler). */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const out = toErrorReply(error);
  if (out.status >= 500) {
    request.log.error({ err: error }, 'unhandled error');
  }
  if (out.code === 'rate_limited' && typeof out.details?.retryAfterSeconds === 'number') {
    void reply.header('retry-after', String(out.details.retryAfterSeconds));
  }
  void reply.status(out.status).send({ error: { code: out.code, message: out.message, ...(out.details ? { details: out.details } : {}) } });
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(sendError);
  app.setNotFoundHandler((_request, reply) => {
    void reply.status(404).send({ error: { code: 'not_found', message: 'No such endpoint.' } });
  });
}
