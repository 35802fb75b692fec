import {
  createExtension,
  deleteExtension,
  extensionWarnings,
  listExtensions,
  loadExtension,
  settingsOf,
  updateExtension,
  type ExtensionSettings,
} from '../../src/domain/extensions';
import { assertOwnClient } from '../../src/domain/tenant';
import { validationError } from '../../src/errors';
import { defineRoute, type RouteSpec } from '../http/route-spec';
import { errorBody, idParams, objectId, page, pageQuery, standardErrors } from '../http/schemas';
import { extensionOut, presentExtension } from './extension-out';
import { createExtensionBody as createBody, patchExtensionBody as patchBody } from './extension-schemas';

export { extensionOut, presentExtension };

const listQuery = pageQuery.extend({ clientId: objectId.optional() }).strict();

export const extensionRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: '/extensions',
    summary: 'Create a callback extension with every option of the callback setup page',
    tag: 'extensions',
    access: 'tenant',
    body: createBody,
    responses: { 201: { description: 'created (with warnings)', schema: extensionOut }, 409: { description: 'extension number taken', schema: errorBody }, ...standardErrors },
    handler: async ({ deps, body, principal }) => {
      const clientId = body.clientId ?? (principal.role === 'client' ? principal.clientId : undefined);
      if (!clientId) throw validationError('clientId is required', [{ path: 'clientId', message: 'required for the operator' }]);
      assertOwnClient(principal, clientId);
      const { clientId: _c, ...settings } = body;
      const ext = await createExtension(
        deps.db,
        clientId,
        {
          ...settings,
          callerId: {
            ...settings.callerId,
            name: { mode: settings.callerId.name.mode, value: settings.callerId.name.value ?? null },
            number: { mode: settings.callerId.number.mode, value: settings.callerId.number.value ?? null },
          },
        },
        { byClient: principal.role === 'client' },
      );
      return { status: 201, body: presentExtension(ext, await extensionWarnings(deps.db, ext)) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/extensions',
    summary: 'List callback extensions (a client key: its own)',
    tag: 'extensions',
    access: 'tenant',
    query: listQuery,
    responses: { 200: { description: 'a page', schema: page(extensionOut) }, ...standardErrors },
    handler: async ({ deps, query, principal }) => {
      const { clientId, ...pq } = query;
      const p = await listExtensions(deps.db, principal, clientId, pq);
      return { status: 200, body: { items: p.items.map((e) => presentExtension(e)), nextCursor: p.nextCursor } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/extensions/:id',
    summary: 'Read a callback extension, with configuration warnings',
    tag: 'extensions',
    access: 'tenant',
    params: idParams,
    responses: { 200: { description: 'the extension', schema: extensionOut }, ...standardErrors },
    handler: async ({ deps, params, principal }) => {
      const ext = await loadExtension(deps.db, principal, params.id);
      return { status: 200, body: presentExtension(ext, await extensionWarnings(deps.db, ext)) };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/extensions/:id',
    summary: 'Change a callback extension (nested objects merge; password null clears it)',
    tag: 'extensions',
    access: 'tenant',
    params: idParams,
    body: patchBody,
    responses: { 200: { description: 'the extension', schema: extensionOut }, 409: { description: 'extension number taken', schema: errorBody }, ...standardErrors },
    handler: async ({ deps, params, body, principal }) => {
      const current = await loadExtension(deps.db, principal, params.id);
      const base = settingsOf(current);
      const merged: ExtensionSettings = {
        extensionNumber: body.extensionNumber ?? base.extensionNumber,
        name: body.name ?? base.name,
        callback: { ...base.callback, ...body.callback, retry: { ...base.callback.retry, ...body.callback?.retry } },
        callerId: {
          ...base.callerId,
          ...body.callerId,
          name: body.callerId?.name ? { mode: body.callerId.name.mode, value: body.callerId.name.value ?? null } : base.callerId.name,
          number: body.callerId?.number ? { mode: body.callerId.number.mode, value: body.callerId.number.value ?? null } : base.callerId.number,
        },
      };
      if (body.callback?.password === undefined) delete merged.callback.password;
      const ext = await updateExtension(deps.db, current, merged, principal.role === 'client');
      return { status: 200, body: presentExtension(ext, await extensionWarnings(deps.db, ext)) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/extensions/:id',
    summary: 'Delete a callback extension and its authorized caller IDs; its numbers stop ringing back to it',
    tag: 'extensions',
    access: 'tenant',
    params: idParams,
    responses: { 204: { description: 'deleted' }, ...standardErrors },
    handler: async ({ deps, params, principal }) => {
      await deleteExtension(deps.db, await loadExtension(deps.db, principal, params.id));
      return { status: 204 };
    },
  }),
];
