import type { FastifyInstance } from 'fastify';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ServerContext } from '../context.ts';
import { route } from '../http/route.ts';
import * as recovery from '../services/organizer-recovery.ts';
import * as approval from '../services/organizer-recovery-approval.ts';
import * as memberStep from '../services/organizer-recovery-member.ts';

/** Organizer recovery (docs/protocol.md §22.8): the Recovery Group's side and the member's. */
export function organizerRecoveryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, endpoints.startOrganizerRecovery, ({ params, body, session, meta }) =>
    recovery.startOrganizerRecovery(ctx, session, meta, params.organizationId, body.userId),
  );
  route(app, ctx, endpoints.listOrganizerRecoveries, ({ params, session }) => recovery.listOrganizerRecoveries(ctx, session, params.organizationId));
  route(app, ctx, endpoints.getOrganizerRecovery, ({ params, session }) =>
    recovery.getOrganizerRecovery(ctx, session, params.organizationId, params.recoveryId),
  );
  route(app, ctx, endpoints.cancelOrganizerRecovery, ({ params, session, meta }) =>
    recovery.cancelByOrganizer(ctx, session, meta, params.organizationId, params.recoveryId),
  );
  route(app, ctx, endpoints.setRecoveryPolicy, ({ params, body, session }) => recovery.setRecoveryPolicy(ctx, session, params.organizationId, body));
  route(app, ctx, endpoints.myOrganizerRecoveries, ({ session }) => recovery.myOrganizerRecoveries(ctx, session));
  route(app, ctx, endpoints.cancelMyOrganizerRecovery, ({ params, session, meta }) => recovery.cancelByMember(ctx, session, meta, params.recoveryId));
  route(app, ctx, endpoints.approveOrganizerRecovery, ({ params, session, meta }) =>
    approval.approveOrganizerRecovery(ctx, session, meta, params.organizationId, params.recoveryId),
  );
  route(app, ctx, endpoints.completeOrganizerRecovery, ({ params, body, session, meta }) =>
    approval.completeOrganizerRecovery(ctx, session, meta, params.organizationId, params.recoveryId, body),
  );
  route(app, ctx, endpoints.describeOrganizerRecovery, ({ body, meta }) => memberStep.describeOrganizerRecovery(ctx, meta, body.token));
  route(app, ctx, endpoints.organizerRecoverySendCode, ({ body, meta }) => memberStep.sendOrganizerRecoveryCode(ctx, meta, body.token));
  route(app, ctx, endpoints.organizerRecoveryVerify, ({ body, meta }) => memberStep.verifyOrganizerRecoveryCode(ctx, meta, body));
  route(app, ctx, endpoints.organizerRecoveryRegister, ({ body, meta }) => memberStep.createOrganizerRecoveryRegistration(ctx, meta, body));
  route(app, ctx, endpoints.organizerRecoveryCredentials, ({ body, meta }) => memberStep.setUpOrganizerRecoveryCredentials(ctx, meta, body));
  route(app, ctx, endpoints.cancelOrganizerRecoveryByLink, ({ body, meta }) => recovery.cancelByLink(ctx, meta, body.token));
}
