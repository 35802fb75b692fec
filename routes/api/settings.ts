import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../http/route-spec';
import { prefix, standardErrors } from '../http/schemas';
import { loadFraudSettings, updateFraudSettings } from '../../src/domain/fraud-settings';

const fraudFields = {
  denyPrefixes: z.array(prefix).max(500).meta({ description: 'no callback to, and no dial of, a number starting with one of these (every client)' }),
  maxCallbacksPerTargetPerHour: z.number().int().min(1).max(1000).meta({ description: 'callbacks to one number per hour, across all extensions' }),
  maxWrongPinsPerTargetPerHour: z.number().int().min(1).max(100).meta({ description: 'wrong PINs for one number per hour before it is locked out for an hour' }),
};

const fraudOut = z.object(fraudFields).strict().meta({ id: 'FraudSettings' });
const patchBody = z.object(fraudFields).partial().strict();

export const settingsRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/settings/fraud',
    summary: 'The toll-fraud settings (operator only)',
    tag: 'settings',
    access: 'admin',
    responses: { 200: { description: 'the settings', schema: fraudOut }, ...standardErrors },
    handler: async ({ deps }) => ({ status: 200, body: await loadFraudSettings(deps.db) }),
  }),
  defineRoute({
    method: 'patch',
    path: '/settings/fraud',
    summary: 'Change the toll-fraud settings (operator only; fields not given stay)',
    tag: 'settings',
    access: 'admin',
    body: patchBody,
    responses: { 200: { description: 'the settings', schema: fraudOut }, ...standardErrors },
    handler: async ({ deps, body }) => ({ status: 200, body: await updateFraudSettings(deps.db, body, deps.clock.now()) }),
  }),
];
