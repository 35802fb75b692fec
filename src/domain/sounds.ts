import { randomBytes } from 'node:crypto';
import { Types, type Connection, type QueryFilter } from 'mongoose';
import { clientModel } from '../../models/client';
import { extensionModel } from '../../models/extension';
import { soundModel, type SoundDoc } from '../../models/sound';
import { PROMPT_KEYS } from '../callflow/i18n/prompt-keys';
import { AppError, conflict, notFound, validationError } from '../errors';
import { paginate, type Page, type PageQuery } from './pagination';

/**
 * The sound manager: sounds are either an external https URL or an uploaded WAV/MP3 kept in the
 * database and served (unauthenticated, for Twilio's <Play>) at `/sounds/<token>`.
 */

export const MAX_SOUND_BYTES = 5 * 1024 * 1024;
export type SoundContentType = 'audio/wav' | 'audio/mpeg';

/** 32 random bytes, base64url without padding: 256 bits, 43 characters. */
const TOKEN_BYTES = 32;
export const SOUND_TOKEN = /^[A-Za-z0-9_-]{43}$/;
export const newSoundToken = (): string => randomBytes(TOKEN_BYTES).toString('base64url');

export const soundPublicUrl = (publicBaseUrl: string, token: string): string => `${publicBaseUrl}/sounds/${token}`;

/** `data` is never needed outside the public byte route: every other read leaves it in the database. */
export const WITHOUT_DATA = { data: 0 } as const;
export type SoundMeta = Omit<SoundDoc, 'data'>;

/**
 * What the bytes are, judged by content only (the file name and declared type are the sender's word).
 * WAV: a RIFF container of form type WAVE. MP3: an ID3v2 tag, or a valid MPEG audio Layer III frame header.
 */
export function sniffAudio(b: Buffer): SoundContentType | undefined {
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WAVE') return 'audio/wav';
  if (
    b.length >= 10 &&
    b.toString('latin1', 0, 3) === 'ID3' &&
    b[3]! >= 2 &&
    b[3]! <= 4 &&
    b[4]! !== 0xff &&
    // the tag size is four "syncsafe" bytes: the top bit of each is zero
    [6, 7, 8, 9].every((i) => b[i]! < 0x80)
  ) {
    return 'audio/mpeg';
  }
  if (b.length >= 4 && isMpegLayer3Header(b[0]!, b[1]!, b[2]!)) return 'audio/mpeg';
  return undefined;
}

function isMpegLayer3Header(b0: number, b1: number, b2: number): boolean {
  const sync = b0 === 0xff && (b1 & 0xe0) === 0xe0;
  const version = (b1 >> 3) & 0b11; // 01 is reserved
  const layer = (b1 >> 1) & 0b11; // 01 is Layer III
  const bitrate = b2 >> 4; // 1111 is invalid
  const sampleRate = (b2 >> 2) & 0b11; // 11 is reserved
  return sync && version !== 0b01 && layer === 0b01 && bitrate !== 0b1111 && sampleRate !== 0b11;
}

/** Regex metacharacters taken literally: `name=.*` searches for the two characters ".*". */
export const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Who asks: the operator (sees everything) or one client (its own sounds, plus the operator library to read). */
export type SoundScope = { role: 'admin' } | { role: 'client'; clientId: Types.ObjectId };

/** The sounds a scope may read: a client sees its own and the operator library (clientId null). */
export function readableBy(scope: SoundScope): QueryFilter<SoundDoc> {
  return scope.role === 'client' ? { clientId: { $in: [scope.clientId, null] } } : {};
}

/** The sounds a scope may change or delete: a client only its own, never the operator library. */
function writableBy(scope: SoundScope): QueryFilter<SoundDoc> {
  return scope.role === 'client' ? { clientId: scope.clientId } : {};
}

export type SoundSource = { url: string } | { data: Buffer };

export interface NewSound {
  name: string;
  /** null: the operator library. */
  clientId: Types.ObjectId | null;
  source: SoundSource;
}

export async function createSound(db: Connection, input: NewSound): Promise<SoundMeta> {
  let fields: Pick<SoundDoc, 'url' | 'data' | 'contentType' | 'size' | 'token'>;
  if ('url' in input.source) {
    fields = { url: input.source.url, data: null, contentType: null, size: null, token: null };
  } else {
    const data = input.source.data;
    if (data.length > MAX_SOUND_BYTES) {
      throw new AppError('payload_too_large', `a sound file may be at most ${MAX_SOUND_BYTES / 1024 / 1024} MB`, 'payload_too_large', [
        { path: 'file', message: 'larger than 5 MB' },
      ]);
    }
    const contentType = sniffAudio(data);
    if (!contentType) {
      throw new AppError('unsupported_media_type', 'the file is not a WAV or MP3 sound (checked by its content)', 'unsupported_media_type', [
        { path: 'file', message: 'must be a WAV (RIFF/WAVE) or MP3 file' },
      ]);
    }
    fields = { url: null, data, contentType, size: data.length, token: newSoundToken() };
  }
  if (input.clientId && !(await clientModel(db).exists({ _id: input.clientId }))) {
    throw validationError('no such client', [{ path: 'clientId', message: 'no client with this id' }]);
  }
  const created = await soundModel(db).create({ name: input.name, clientId: input.clientId, ...fields });
  const { data: _data, ...meta } = created.toObject();
  return meta;
}

export async function findSound(db: Connection, scope: SoundScope, id: Types.ObjectId): Promise<SoundMeta> {
  const s = await soundModel(db)
    .findOne({ $and: [{ _id: id }, readableBy(scope)] })
    .select(WITHOUT_DATA)
    .lean();
  if (!s) throw notFound('sound');
  return s;
}

export async function renameSound(db: Connection, scope: SoundScope, id: Types.ObjectId, name: string): Promise<SoundMeta> {
  // Not findOneAndUpdate: FerretDB cannot project there, and the answer must not carry the bytes.
  const res = await soundModel(db).updateOne({ $and: [{ _id: id }, writableBy(scope)] }, { $set: { name } });
  if (res.matchedCount === 0) throw notFound('sound');
  return findSound(db, scope, id);
}

/**
 * A sound an extension plays before disconnecting (by id, or by the public URL of the upload) is in use.
 * Checked then deleted, not atomically: an extension saved in between would point at a missing sound,
 * which the call flow must tolerate anyway (it can also be an external URL that disappears).
 */
export async function deleteSound(db: Connection, scope: SoundScope, id: Types.ObjectId, publicBaseUrl: string): Promise<void> {
  const s = await soundModel(db)
    .findOne({ $and: [{ _id: id }, writableBy(scope)] })
    .select(WITHOUT_DATA)
    .lean();
  if (!s) throw notFound('sound');
  const refs = [String(s._id), ...(s.token ? [soundPublicUrl(publicBaseUrl, s.token)] : [])];
  const users = await extensionModel(db).countDocuments({
    $or: [{ 'callback.disconnectSound': { $in: refs } }, ...PROMPT_KEYS.map((k) => ({ [`callback.prompts.${k}`]: { $in: refs } }))],
  });
  if (users) throw conflict(`${users} extension(s) play this sound (before disconnecting or as a recorded prompt); change them first`, 'in_use');
  await soundModel(db).deleteOne({ _id: s._id });
}

/** The bytes behind a public URL; the token's format is checked before any query. */
export async function soundBytes(db: Connection, token: string): Promise<{ data: Buffer; contentType: string } | undefined> {
  if (!SOUND_TOKEN.test(token)) return undefined;
  const s = await soundModel(db).findOne({ token }).select({ data: 1, contentType: 1 });
  if (!s?.data || !s.contentType) return undefined;
  return { data: Buffer.isBuffer(s.data) ? s.data : Buffer.from(s.data), contentType: s.contentType };
}

export const clientObjectId = (id: string | null | undefined): Types.ObjectId | null => (id ? new Types.ObjectId(id) : null);

/**
 * A page of the sounds a scope may read, optionally only one client's (with the operator library) and
 * those whose name contains `name` (case-insensitive, metacharacters literal). Never the bytes.
 */
export function listSounds(
  db: Connection,
  scope: SoundScope,
  only: { clientId?: Types.ObjectId | undefined; name?: string | undefined },
  query: PageQuery,
): Promise<Page<SoundMeta>> {
  const filters: QueryFilter<SoundDoc>[] = [readableBy(scope)];
  if (only.clientId) filters.push({ clientId: { $in: [only.clientId, null] } });
  if (only.name) filters.push({ name: { $regex: escapeRegex(only.name), $options: 'i' } });
  return paginate(soundModel(db), { $and: filters }, query, { project: WITHOUT_DATA }) as Promise<Page<SoundMeta>>;
}
