import type { Connection, Types } from 'mongoose';
import { channelModel, type ChannelDoc } from '../../models/channel';
import { extensionModel } from '../../models/extension';
import { phoneNumberModel } from '../../models/phone-number';
import { conflict, notFound, validationError, type FieldProblem } from '../errors';
import type { SecretBox } from '../security/secret-box';
import { isDuplicateKey } from '../db/duplicate-key';
import { oneOrNotFound } from './lookup';
import { paginate, type Page, type PageQuery } from './pagination';

export type { ChannelDoc };

export type ChannelType = ChannelDoc['type'];
export type SipTransport = 'udp' | 'tcp' | 'tls';

/** SIP settings as the API takes them: the password in clear, only until it is sealed here. */
export interface SipInput {
  domain: string;
  username?: string | null | undefined;
  password?: string | null | undefined;
  transport?: SipTransport | null | undefined;
}

export interface ChannelInput {
  name: string;
  type: ChannelType;
  prefixes: string[];
  sip?: SipInput | null | undefined;
}

export interface ChannelPatch {
  name?: string | undefined;
  type?: ChannelType | undefined;
  prefixes?: string[] | undefined;
  /** Merged into the current settings: omitted fields are kept (the password too), null clears. */
  sip?: Partial<SipInput> | null | undefined;
}

/** `sip` goes with a SIP channel and only with one; shared by the request schema and the PATCH merge. */
export function sipProblems(type: ChannelType, hasSip: boolean): FieldProblem[] {
  if (type === 'sip' && !hasSip) return [{ path: 'sip', message: 'required when type is "sip" (at least sip.domain)' }];
  if (type === 'twilio' && hasSip) return [{ path: 'sip', message: 'not allowed when type is "twilio" (send sip: null to remove it)' }];
  return [];
}

/**
 * A unique-index violation. MongoDB says E11000; the embedded FerretDB (SQLite backend) answers a
 * findAndModify that breaks a unique index with InternalError (code 1) "UNIQUE constraint failed".
 */
function duplicateName(err: unknown): never {
  if (isDuplicateKey(err)) {
    throw conflict('a channel with this name exists', 'duplicate', [{ path: 'name', message: 'already used' }]);
  }
  throw err;
}

function sealSip(sip: SipInput, box: SecretBox): NonNullable<ChannelDoc['sip']> {
  return {
    domain: sip.domain,
    username: sip.username ?? null,
    passwordEnc: sip.password ? box.seal(sip.password) : null,
    transport: sip.transport ?? null,
  };
}

export async function createChannel(db: Connection, input: ChannelInput, box: SecretBox): Promise<ChannelDoc> {
  const problems = sipProblems(input.type, input.sip != null);
  if (problems.length) throw validationError(problems[0]!.message, problems);
  const doc = await channelModel(db)
    .create({ name: input.name, type: input.type, prefixes: input.prefixes, sip: input.sip ? sealSip(input.sip, box) : null })
    .catch(duplicateName);
  return doc.toObject();
}

export async function updateChannel(db: Connection, id: Types.ObjectId, patch: ChannelPatch, box: SecretBox): Promise<ChannelDoc> {
  const channels = channelModel(db);
  const current = await channels.findById(id).lean();
  if (!current) throw notFound('channel');

  const type = patch.type ?? current.type;
  let sip: ChannelDoc['sip'] = current.sip ?? null;
  if (patch.sip === null) {
    sip = null;
  } else if (patch.sip !== undefined) {
    const p = patch.sip;
    const domain = p.domain ?? sip?.domain;
    if (!domain) throw validationError('sip.domain is required', [{ path: 'sip.domain', message: 'required when the channel has no SIP settings yet' }]);
    sip = {
      domain,
      username: p.username !== undefined ? p.username : (sip?.username ?? null),
      passwordEnc: p.password === undefined ? (sip?.passwordEnc ?? null) : p.password === null ? null : box.seal(p.password),
      transport: p.transport !== undefined ? p.transport : (sip?.transport ?? null),
    };
  }
  const problems = sipProblems(type, sip !== null);
  if (problems.length) throw validationError(problems[0]!.message, problems);

  const set: Partial<ChannelDoc> = { type, sip };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.prefixes !== undefined) set.prefixes = patch.prefixes;
  const updated = await channels.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after' }).lean().catch(duplicateName);
  if (!updated) throw notFound('channel');
  return updated;
}

/**
 * The E.164 strings among `numbers` that some extension presents as a caller ID or as its default.
 * `clientId` narrows the search to one client's extensions.
 */
export async function numbersUsedAsCallerId(db: Connection, numbers: string[], clientId?: Types.ObjectId): Promise<string[]> {
  if (!numbers.length) return [];
  const filter = {
    ...(clientId ? { clientId } : {}),
    $or: [{ 'callerId.numbers': { $in: numbers } }, { 'callerId.defaultNumber': { $in: numbers } }],
  };
  const users = await extensionModel(db).find(filter).select({ 'callerId.numbers': 1, 'callerId.defaultNumber': 1 }).lean();
  const wanted = new Set(numbers);
  const used = new Set<string>();
  for (const e of users) {
    for (const n of [...(e.callerId?.numbers ?? []), e.callerId?.defaultNumber]) if (n && wanted.has(n)) used.add(n);
  }
  return [...used].sort();
}

/**
 * A channel is in use while one of its numbers is an extension's caller ID (or default), rings back to
 * an extension, or is still assigned to a client (deleting it would take the number out of the client's
 * pool behind its back). Otherwise the channel goes, with its unassigned numbers.
 */
export async function deleteChannel(db: Connection, id: Types.ObjectId): Promise<void> {
  if (!(await channelModel(db).exists({ _id: id }))) throw notFound('channel');
  const numbers = await phoneNumberModel(db).find({ channelId: id }).select({ number: 1, clientId: 1, extensionId: 1 }).lean();

  const callerIds = await numbersUsedAsCallerId(
    db,
    numbers.map((n) => n.number),
  );
  if (callerIds.length) {
    throw conflict(`the channel's number(s) ${callerIds.join(', ')} are caller IDs of extensions; remove them from the extensions first`, 'in_use');
  }
  const ringing = numbers.filter((n) => n.extensionId).map((n) => n.number);
  if (ringing.length) {
    throw conflict(`the channel's number(s) ${ringing.join(', ')} ring back to extensions; unassign them first`, 'in_use');
  }
  const assigned = numbers.filter((n) => n.clientId).map((n) => n.number);
  if (assigned.length) {
    throw conflict(`the channel's number(s) ${assigned.join(', ')} are assigned to clients; unassign them first`, 'in_use');
  }
  await phoneNumberModel(db).deleteMany({ channelId: id, clientId: null, extensionId: null });
  await channelModel(db).deleteOne({ _id: id });
}

export function listChannels(db: Connection, query: PageQuery): Promise<Page<ChannelDoc>> {
  return paginate(channelModel(db), {}, query);
}

export async function loadChannel(db: Connection, id: Types.ObjectId): Promise<ChannelDoc> {
  return oneOrNotFound(channelModel(db), { _id: id }, 'channel');
}

/** Whether a channel exists (the operator asking for the numbers of a missing one gets 404). */
export async function channelExists(db: Connection, id: Types.ObjectId): Promise<boolean> {
  return Boolean(await channelModel(db).exists({ _id: id }));
}
