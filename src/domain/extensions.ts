import { Types, type Connection } from 'mongoose';
import { authorizedCallerModel } from '../../models/authorized-caller';
import { channelModel } from '../../models/channel';
import { clientModel } from '../../models/client';
import { extensionModel, type ExtensionDoc, type ReturnCalls } from '../../models/extension';
import { phoneNumberModel } from '../../models/phone-number';
import { soundModel } from '../../models/sound';
import { callerIdWarnings } from '../caller-id';
import { isDuplicateKey } from '../db/duplicate-key';
import { conflict, notFound, validationError, type FieldProblem } from '../errors';
import { toE164 } from '../phone';
import { hashPin } from '../security/pin-hash';
import { crossFieldProblems } from './extension-settings';
import { languageProblems } from './extension-language';
import { scopedOrNotFound } from './lookup';
import { paginate, type Page, type PageQuery } from './pagination';
import { resolvePromptSounds } from './prompt-sounds';
import { idOrNotFound, tenantFilter, type Principal } from './tenant';

export type { ExtensionDoc, ReturnCalls };

/** What the API hands the domain: settings as they should be stored, plus the plaintext password if changed. */
export type ExtensionSettings = Omit<ExtensionDoc, '_id' | 'createdAt' | 'updatedAt' | 'clientId' | 'callback'> & {
  callback: Omit<ExtensionDoc['callback'], 'passwordHash' | 'promptPlay'> & { password?: string | null };
};

/** A client has at most this many public numbers looked at when computing caller-ID warnings. */
const MAX_NUMBERS_FOR_WARNINGS = 5_000;

/**
 * Who writes the settings: a client key presents only caller IDs it owns; the operator key may set any
 * (their trunk, their responsibility). `current` is the stored extension on a change: a value the
 * operator set stays when a client changes something else.
 */
export interface Writer {
  byClient: boolean;
  current?: ExtensionDoc;
}

/** Every problem of the settings; the recorded prompts resolved to what Twilio plays. */
async function checkReferences(
  db: Connection,
  clientId: Types.ObjectId,
  s: ExtensionSettings,
  writer: Writer,
): Promise<{ problems: FieldProblem[]; promptPlay: Record<string, string> }> {
  // Looked up alongside the number check; awaited below (the catch only keeps an early throw from leaving it unhandled).
  const recorded = resolvePromptSounds(db, clientId, s.callback.prompts ?? {});
  recorded.catch(() => undefined);
  const problems: FieldProblem[] = [...crossFieldProblems(s), ...languageProblems({ ...s.callback, defaultLanguage: s.callback.defaultLanguage ?? null })];
  const userNumber = s.callerId.number.mode === 'user' && s.callerId.number.value ? (toE164(s.callerId.number.value) ?? s.callerId.number.value) : null;
  const wanted = [...new Set([...s.callerId.numbers, ...(s.callerId.defaultNumber ? [s.callerId.defaultNumber] : []), ...(userNumber ? [userNumber] : [])])];
  const owned = new Set(
    (
      await phoneNumberModel(db)
        .find({ clientId, number: { $in: wanted } }, { number: 1 })
        .lean()
    ).map((n) => n.number),
  );
  s.callerId.numbers.forEach((n, i) => {
    if (!owned.has(n)) problems.push({ path: `callerId.numbers.${i}`, message: `${n} is not a public number of this client` });
  });
  if (new Set(s.callerId.numbers).size !== s.callerId.numbers.length) {
    problems.push({ path: 'callerId.numbers', message: 'lists a number twice' });
  }
  if (s.callerId.defaultNumber && !owned.has(s.callerId.defaultNumber)) {
    problems.push({ path: 'callerId.defaultNumber', message: `${s.callerId.defaultNumber} is not a public number of this client` });
  }
  if (writer.byClient) problems.push(...ownCallerIdProblems(s, userNumber, owned, writer.current));
  const sound = s.callback.disconnectSound;
  if (sound && !sound.startsWith('https://')) {
    const found = Types.ObjectId.isValid(sound) ? await soundModel(db).exists({ _id: new Types.ObjectId(sound), clientId: { $in: [clientId, null] } }) : null;
    if (!found) problems.push({ path: 'callback.disconnectSound', message: 'no such sound (give a sound id or an https URL)' });
  }
  const { problems: soundProblems, play } = await recorded;
  return { problems: [...problems, ...soundProblems], promptPlay: play };
}

/** A client key's caller ID values: a custom number must be its own, and so must a number it names itself for in SIP identity headers. */
function ownCallerIdProblems(s: ExtensionSettings, userNumber: string | null, owned: Set<string>, current?: ExtensionDoc): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const was = current?.callerId;
  const numberChanged = !was || was.number.mode !== s.callerId.number.mode || was.number.value !== s.callerId.number.value;
  if (userNumber && numberChanged && !owned.has(userNumber)) {
    problems.push({ path: 'callerId.number.value', message: `${userNumber} is not a number of this client; only the operator key may present another number` });
  }
  const nameChanged =
    !was || numberChanged || was.name.mode !== s.callerId.name.mode || was.name.value !== s.callerId.name.value || was.sendIdentityHeaders !== s.callerId.sendIdentityHeaders;
  // With identity headers the name goes out with screen=no (not network-verified) next to the number:
  // "set by equipment" presents the caller's own phone, which is not the client's.
  const numberNotOwn = s.callerId.number.mode === 'equipment' || (userNumber !== null && !owned.has(userNumber));
  if (nameChanged && s.callerId.sendIdentityHeaders && s.callerId.name.mode === 'user' && s.callerId.name.value && numberNotOwn) {
    problems.push({
      path: 'callerId.name.value',
      message: 'a client key cannot present a name in SIP identity headers (screen=no) with a number that is not its own; only the operator key may',
    });
  }
  return problems;
}

function duplicateNumber(err: unknown): never {
  if (isDuplicateKey(err)) {
    throw conflict('this client already has an extension with this number', 'duplicate', [{ path: 'extensionNumber', message: 'already used by this client' }]);
  }
  throw err;
}

async function toStored(s: ExtensionSettings, promptPlay: Record<string, string>, current?: ExtensionDoc) {
  const { password, ...callback } = s.callback;
  const passwordHash = password === undefined ? (current?.callback.passwordHash ?? null) : password === null ? null : await hashPin(password);
  return { ...s, callback: { ...callback, passwordHash, promptPlay } };
}

export async function createExtension(db: Connection, clientId: string, s: ExtensionSettings, writer: Writer = { byClient: false }): Promise<ExtensionDoc> {
  const cid = new Types.ObjectId(clientId);
  if (!(await clientModel(db).exists({ _id: cid }))) {
    throw validationError('no such client', [{ path: 'clientId', message: 'no client with this id' }]);
  }
  const { problems, promptPlay } = await checkReferences(db, cid, s, writer);
  if (problems.length) throw validationError('invalid extension settings', problems);
  const doc = await extensionModel(db)
    .create({ ...(await toStored(s, promptPlay)), clientId: cid })
    .catch(duplicateNumber);
  return doc.toObject();
}

export async function updateExtension(db: Connection, current: ExtensionDoc, merged: ExtensionSettings, byClient = false): Promise<ExtensionDoc> {
  const { problems, promptPlay } = await checkReferences(db, current.clientId, merged, { byClient, current });
  if (problems.length) throw validationError('invalid extension settings', problems);
  const updated = await extensionModel(db)
    .findOneAndUpdate({ _id: current._id }, { $set: await toStored(merged, promptPlay, current) }, { returnDocument: 'after' })
    .lean()
    .catch(duplicateNumber);
  if (!updated) throw notFound('extension');
  return updated;
}

/** Deleting an extension removes its authorized caller IDs; its numbers stay with the client, ringing back to nothing. */
export async function deleteExtension(db: Connection, ext: ExtensionDoc): Promise<void> {
  await phoneNumberModel(db).updateMany({ extensionId: ext._id }, { $set: { extensionId: null } });
  await authorizedCallerModel(db).deleteMany({ extensionId: ext._id });
  await extensionModel(db).deleteOne({ _id: ext._id });
}

/** The engine's own config-time warnings, on this client's numbers and every channel. */
export async function extensionWarnings(db: Connection, ext: ExtensionDoc): Promise<string[]> {
  const [numbers, channels] = await Promise.all([
    phoneNumberModel(db).find({ clientId: ext.clientId }, { number: 1, channelId: 1, extensionId: 1 }).limit(MAX_NUMBERS_FOR_WARNINGS).lean(),
    channelModel(db).find({}, { name: 1, type: 1, prefixes: 1, sip: 1 }).limit(1_000).lean(),
  ]);
  const publicNumber = numbers.find((n) => String(n.extensionId) === String(ext._id))?.number ?? null;
  const warnings = callerIdWarnings(
    {
      id: String(ext._id),
      name: ext.name,
      publicNumber,
      callerId: { ...ext.callerId, name: ext.callerId.name, number: ext.callerId.number },
    },
    numbers.map((n) => ({ number: n.number, channelId: String(n.channelId) })),
    channels.map((c) => ({ id: String(c._id), name: c.name, type: c.type, prefixes: c.prefixes, sipDomain: c.sip?.domain ?? null })),
  );
  if (ext.callback.requireCallerPassword && ext.callback.returnCalls !== 'authorized') {
    warnings.push('requireCallerPassword is on but returnCalls is not "authorized": callers who are not authorized caller IDs have no password and cannot pass.');
  }
  if (ext.callback.allowCreditQuery && ext.callback.returnCalls !== 'authorized' && !ext.callback.passwordHash) {
    warnings.push('allowCreditQuery is on without any password: anyone called back can hear the credit.');
  }
  return warnings;
}

/** An extension as the principal may see it: another client's (or a malformed id) is not found. */
export async function loadExtension(db: Connection, principal: Principal, id: string): Promise<ExtensionDoc> {
  return scopedOrNotFound(extensionModel(db), principal, id, 'extension');
}

/** The principal's extensions (the operator's: all, or one client's), newest first. */
export function listExtensions(db: Connection, principal: Principal, clientId: string | undefined, query: PageQuery): Promise<Page<ExtensionDoc>> {
  const filter = { ...(clientId ? { clientId: idOrNotFound(clientId, 'client') } : {}), ...tenantFilter(principal) };
  return paginate(extensionModel(db), filter, query);
}

/** The stored settings in the domain's input shape, for merging a change onto. */
export function settingsOf(e: ExtensionDoc): ExtensionSettings {
  const { passwordHash: _hash, promptPlay: _play, ...callback } = e.callback;
  return {
    extensionNumber: e.extensionNumber,
    name: e.name,
    callback: {
      ...callback,
      chargeCallbackLeg: callback.chargeCallbackLeg ?? true,
      defaultLanguage: callback.defaultLanguage ?? null,
      quietHours: callback.quietHours ? { ...callback.quietHours } : null,
      prompts: { ...callback.prompts },
      retry: { ...callback.retry },
    },
    callerId: {
      ...e.callerId,
      name: { mode: e.callerId.name.mode, value: e.callerId.name.value ?? null },
      number: { mode: e.callerId.number.mode, value: e.callerId.number.value ?? null },
    },
  };
}

/** An extension by id, without tenant scoping (the call flow reaches it from a session or a number), or null. */
export function findExtension(db: Connection, id: Types.ObjectId): Promise<ExtensionDoc | null> {
  return extensionModel(db).findById(id).lean().exec();
}
