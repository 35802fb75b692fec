import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../http/route-spec';
import { e164, errorBody, idParams, objectId, standardErrors, timestamp } from '../http/schemas';
import { conflict } from '../../src/errors';
import { idOrNotFound, tenantFilter } from '../../src/domain/tenant';
import { cancelCallback } from '../../src/domain/call-sessions/requested-callbacks';
import { requestCallback } from '../../src/callflow/requested-callback';

/**
 * Callbacks on request: the same pipeline as a call that rang (every rule, the lock, the job, the
 * retries, the billing, the timeline), asked for by API, now or at a time. The call record
 * (GET /api/calls/:id) is the callback's: its id is what POST answers and DELETE takes.
 */

const requestBody = z
  .object({
    extensionId: objectId.meta({ description: 'the extension that calls back (from its lowest number); a client key: one of its own' }),
    number: e164.optional().meta({ description: "the number to call back, as if it had rung the extension; default: the extension's fixed number" }),
    at: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: 'when to call back (ISO 8601, at most 7 days ahead); default: now. Quiet hours move it to their end', examples: ['2026-12-03T09:30:00+01:00'] }),
    destination: z
      .string()
      .trim()
      .regex(/^\+?[0-9]{3,20}$/, 'must be a phone number: E.164 (+442071838750) or digits')
      .optional()
      .meta({ description: 'dialed after the password instead of asking the caller for a destination' }),
  })
  .strict();

const acceptedOut = z
  .object({
    id: z.string().meta({ description: 'the call record (GET /api/calls/:id)' }),
    status: z.enum(['queued', 'scheduled']),
    dueAt: timestamp.meta({ description: 'when the callback is placed' }),
  })
  .strict()
  .meta({ id: 'CallbackRequested' });

export const callbackRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: '/callbacks',
    summary: 'Request a callback (now or at a time), under every rule of a call that rang the extension',
    tag: 'callbacks',
    access: 'tenant',
    body: requestBody,
    responses: {
      202: { description: 'accepted: queued, or scheduled for dueAt', schema: acceptedOut },
      409: { description: 'refused: error.code is the reason the call record stores (e.g. caller-not-authorized, callback-already-active)', schema: errorBody },
      ...standardErrors,
    },
    handler: async ({ deps, body, principal }) => {
      const scope = tenantFilter(principal);
      const outcome = await requestCallback(deps, {
        origin: 'api',
        requestKey: `api:${randomUUID()}`,
        extensionId: idOrNotFound(body.extensionId, 'extension'),
        number: body.number ?? null,
        at: body.at ? new Date(body.at) : null,
        destination: body.destination ?? null,
        clientId: scope.clientId ?? null,
      });
      if (!outcome.accepted) {
        const record = outcome.sessionId ? ` (call record ${outcome.sessionId})` : '';
        throw conflict(`callback refused: ${outcome.reason}${record}`, outcome.reason);
      }
      return { status: 202, body: { id: outcome.sessionId, status: outcome.status, dueAt: outcome.dueAt.toISOString() } };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/callbacks/:id',
    summary: 'Cancel a queued or scheduled callback (409 once it is placed)',
    tag: 'callbacks',
    access: 'tenant',
    params: idParams,
    responses: {
      204: { description: 'cancelled' },
      409: { description: 'already placed, or over (error.code callback-not-cancellable)', schema: errorBody },
      ...standardErrors,
    },
    handler: async ({ deps, params, principal }) => {
      await cancelCallback(deps.db, tenantFilter(principal), idOrNotFound(params.id, 'callback'), deps.clock.now());
      return { status: 204 };
    },
  }),
];
