import type { FastifyInstance } from 'fastify';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ServerContext } from '../context.ts';
import { route } from '../http/route.ts';
import * as enrollment from '../services/device-enrollment.ts';

export function deviceEnrollmentRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, endpoints.requestDeviceEnrollment, async ({ session, meta }) => ({
    enrollment: await enrollment.requestDeviceEnrollment(ctx, meta, session),
  }));
  route(app, ctx, endpoints.listDeviceEnrollments, async ({ session }) => ({ enrollments: await enrollment.listDeviceEnrollments(ctx, session) }));
  route(app, ctx, endpoints.approveDeviceEnrollment, async ({ session, body }) => ({
    enrollment: await enrollment.approveDeviceEnrollment(ctx, session, body.enrollmentId),
  }));
  route(app, ctx, endpoints.relayDeviceEnrollmentMessage, async ({ session, body }) => ({
    enrollment: await enrollment.relayDeviceEnrollmentMessage(ctx, session, body),
  }));
  route(app, ctx, endpoints.finishDeviceEnrollment, ({ session, body, meta }) => enrollment.finishDeviceEnrollment(ctx, meta, session, body));
}
