/**
 * One log line per request instead of Fastify's two ("incoming request" and "request
 * completed"): the completed line also names the request (method, URL, source address through
 * Fastify's `req` serializer), so nothing is lost, and a request costs half the logging. Bodies
 * and headers are never logged. Errors keep Fastify's own lines.
 */
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

export class OneLineRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
