import type { RequestHandler } from 'express';
import { Types } from 'mongoose';
import multer from 'multer';
import { z } from 'zod';
import { defineRoute, type Principal, type RouteSpec } from '../http/route-spec';
import { errorBody, idParams, objectId, page, pageQuery, standardErrors, timestamp } from '../http/schemas';
import { assertOwnClient, idOrNotFound } from '../../src/domain/tenant';
import {
  MAX_SOUND_BYTES,
  clientObjectId,
  createSound,
  deleteSound,
  findSound,
  listSounds,
  renameSound,
  soundPublicUrl,
  type SoundMeta,
  type SoundScope,
} from '../../src/domain/sounds';
import { AppError, validationError } from '../../src/errors';

const name = z.string().trim().min(1).max(100);
const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an absolute https:// URL' }).max(2048);

/**
 * One body schema for both ways of creating a sound: JSON `{name, url, clientId?}`, or multipart/form-data
 * with the text field `name` (and `clientId`) and the file part `file`. The file itself never reaches this
 * schema (multer puts it in req.file); a *text* field called `file` is refused here.
 */
const createBody = z
  .object({
    name,
    url: httpsUrl.optional().meta({ description: 'an external https URL Twilio can fetch (JSON requests)' }),
    clientId: objectId.nullable().optional().meta({ description: 'operator only: the client owning the sound; null or absent: the operator library every client sees' }),
    file: z
      .custom<never>(() => false, 'send the sound as a file part, not a text field')
      .optional()
      .meta({ type: 'string', format: 'binary', description: 'a WAV or MP3 file up to 5 MB, checked by content (multipart requests)' }),
  })
  .strict();

const patchBody = z.object({ name }).strict();

const listQuery = z
  .object({
    ...pageQuery.shape,
    name: z.string().max(100).optional().meta({ description: 'case-insensitive part of the name (taken literally)' }),
    clientId: objectId.optional().meta({ description: "that client's sounds and the operator library" }),
  })
  .strict();

export const soundOut = z
  .object({
    id: z.string(),
    name: z.string(),
    clientId: z.string().nullable(),
    source: z.enum(['upload', 'url']),
    url: z.string().meta({ description: 'what Twilio <Play>s: the external URL, or the public URL of the upload' }),
    contentType: z.enum(['audio/wav', 'audio/mpeg']).nullable(),
    size: z.number().int().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .strict()
  .meta({ id: 'Sound' });

export function presentSound(s: SoundMeta, publicBaseUrl: string): z.infer<typeof soundOut> {
  const upload = s.token !== null && s.token !== undefined;
  return {
    id: String(s._id),
    name: s.name,
    clientId: s.clientId ? String(s.clientId) : null,
    source: upload ? 'upload' : 'url',
    url: upload ? soundPublicUrl(publicBaseUrl, s.token!) : (s.url ?? ''),
    contentType: (s.contentType as 'audio/wav' | 'audio/mpeg' | null) ?? null,
    size: s.size ?? null,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

const scopeOf = (p: Principal): SoundScope => (p.role === 'client' ? { role: 'client', clientId: new Types.ObjectId(p.clientId) } : { role: 'admin' });

/** The owner of a new sound: the operator chooses (null = library); a client key's sounds are its own. */
function ownerOf(principal: Principal, clientId: string | null | undefined): Types.ObjectId | null {
  if (principal.role === 'admin') return clientObjectId(clientId);
  if (clientId === null) {
    throw validationError('a client key cannot add to the operator library', [{ path: 'clientId', message: 'only the operator may add library sounds' }]);
  }
  if (clientId !== undefined) assertOwnClient(principal, clientId);
  return new Types.ObjectId(principal.clientId);
}

export const soundRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: '/sounds',
    summary:
      'Add a sound: JSON {name, url} for an external https URL, or multipart/form-data {name, file} to upload a WAV or MP3 ' +
      '(at most 5 MB, checked by content) served at a public unguessable URL',
    tag: 'sounds',
    access: 'tenant',
    body: createBody,
    bodyKind: 'json-or-multipart',
    responses: {
      201: { description: 'created', schema: soundOut },
      413: { description: 'file larger than 5 MB', schema: errorBody },
      415: { description: 'not JSON or multipart, or the file is not a WAV or MP3', schema: errorBody },
      ...standardErrors,
    },
    handler: async ({ deps, body, principal, req }) => {
      const clientId = ownerOf(principal, body.clientId);
      const file = req.file;
      if (file && body.url !== undefined) {
        throw validationError('send either a url or a file, not both', [
          { path: 'url', message: 'not with a file' },
          { path: 'file', message: 'not with a url' },
        ]);
      }
      if (!file && body.url === undefined) {
        const multipart = Boolean(req.is('multipart/form-data'));
        throw multipart
          ? validationError('upload the sound in the file part "file"', [{ path: 'file', message: 'required' }])
          : validationError('give an https url, or upload a file as multipart/form-data', [{ path: 'url', message: 'required' }]);
      }
      const sound = await createSound(deps.db, {
        name: body.name,
        clientId,
        source: file ? { data: file.buffer } : { url: body.url! },
      });
      return { status: 201, body: presentSound(sound, deps.config.publicBaseUrl) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/sounds',
    summary: 'List sounds, optionally those whose name contains a text (a client sees its own and the operator library)',
    tag: 'sounds',
    access: 'tenant',
    query: listQuery,
    responses: { 200: { description: 'a page of sounds', schema: page(soundOut) }, ...standardErrors },
    handler: async ({ deps, query, principal }) => {
      if (query.clientId) assertOwnClient(principal, query.clientId);
      const only = { clientId: query.clientId ? new Types.ObjectId(query.clientId) : undefined, name: query.name };
      const p = await listSounds(deps.db, scopeOf(principal), only, { limit: query.limit, cursor: query.cursor });
      return { status: 200, body: { items: p.items.map((s) => presentSound(s, deps.config.publicBaseUrl)), nextCursor: p.nextCursor } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/sounds/:id',
    summary: 'Read a sound',
    tag: 'sounds',
    access: 'tenant',
    params: idParams,
    responses: { 200: { description: 'the sound', schema: soundOut }, ...standardErrors },
    handler: async ({ deps, params, principal }) => {
      const s = await findSound(deps.db, scopeOf(principal), idOrNotFound(params.id, 'sound'));
      return { status: 200, body: presentSound(s, deps.config.publicBaseUrl) };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/sounds/:id',
    summary: 'Rename a sound (a client may not change the operator library)',
    tag: 'sounds',
    access: 'tenant',
    params: idParams,
    body: patchBody,
    responses: { 200: { description: 'the sound', schema: soundOut }, ...standardErrors },
    handler: async ({ deps, params, body, principal }) => {
      const s = await renameSound(deps.db, scopeOf(principal), idOrNotFound(params.id, 'sound'), body.name);
      return { status: 200, body: presentSound(s, deps.config.publicBaseUrl) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/sounds/:id',
    summary: 'Delete a sound no extension plays (a client may not delete the operator library)',
    tag: 'sounds',
    access: 'tenant',
    params: idParams,
    responses: { 204: { description: 'deleted' }, 409: { description: 'an extension plays it', schema: errorBody }, ...standardErrors },
    handler: async ({ deps, params, principal }) => {
      await deleteSound(deps.db, scopeOf(principal), idOrNotFound(params.id, 'sound'), deps.config.publicBaseUrl);
      return { status: 204 };
    },
  }),
];

/**
 * Memory storage, so at most 5 MB (+1 byte, where busboy stops) of file is ever buffered; text fields are
 * tiny (a name and a client id), so a few short ones are all a request may carry.
 */
const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_SOUND_BYTES, files: 1, fields: 5, parts: 6, fieldSize: 1024 },
}).single('file');

/** multer's and busboy's errors in our error family. */
function uploadError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') {
      return new AppError('payload_too_large', 'a sound file may be at most 5 MB', 'payload_too_large', [{ path: 'file', message: 'larger than 5 MB' }]);
    }
    const path = err.code === 'LIMIT_UNEXPECTED_FILE' || err.code === 'LIMIT_FILE_COUNT' ? 'file' : (err.field ?? '(body)');
    return validationError(`invalid multipart body: ${err.message}`, [{ path, message: err.message }]);
  }
  // busboy: "Unexpected end of form", "Malformed part header", "Multipart: Boundary not found", ...
  const message = err instanceof Error ? err.message : 'unreadable';
  return new AppError('validation', `invalid multipart body: ${message}`, 'invalid_multipart');
}

/**
 * Runs after the route's authentication (so only a valid key's upload is ever read): JSON passes
 * through (express.json parsed it); anything else must be multipart/form-data (415 otherwise).
 */
const parseUpload: RequestHandler = (req, res, next) => {
  if (req.is('application/json')) return next();
  if (!req.is('multipart/form-data')) {
    return next(new AppError('unsupported_media_type', 'send application/json {name, url} or multipart/form-data {name, file}', 'unsupported_media_type'));
  }
  upload(req, res, (err?: unknown) => next(err ? uploadError(err) : undefined));
};

/** Multipart parsing for the upload route, keyed like routeMiddleware. */
export const soundMiddleware: Record<string, RequestHandler[]> = { 'post /sounds': [parseUpload] };
