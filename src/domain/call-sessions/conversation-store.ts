import type { Connection, Types } from 'mongoose';
import { authorizedCallerModel } from '../../../models/authorized-caller';
import { callSessionModel, type CallSessionDoc } from '../../../models/call-session';
import { channelModel, type ChannelDoc } from '../../../models/channel';
import { clientModel, type ClientDoc } from '../../../models/client';
import { extensionModel, type ExtensionDoc } from '../../../models/extension';
import { lockoutModel } from '../../../models/lockout';
import { phoneNumberModel } from '../../../models/phone-number';
import { rateTableModel, type RateDoc } from '../../../models/rate-table';
import { reservationModel, type ReservationDoc } from '../../../models/reservation';
import { soundModel } from '../../../models/sound';

/**
 * The reads and writes of the conversation's steps (src/callflow/steps/): the session's own updates,
 * and what a step reads of the configuration. Each is one command, as the step used to make it.
 */
export type { CallSessionDoc, ChannelDoc, ClientDoc, ExtensionDoc, RateDoc, ReservationDoc };

export const loadSession = (db: Connection, id: Types.ObjectId | string) => callSessionModel(db).findById(id).lean();

export async function loadStepConfig(db: Connection, s: CallSessionDoc): Promise<{ ext: ExtensionDoc; client: ClientDoc } | null> {
  const [ext, client] = await Promise.all([extensionModel(db).findById(s.extensionId).lean(), clientModel(db).findById(s.clientId).lean()]);
  return ext && client ? { ext, client } : null;
}

/** A session update (one command); `filter` narrows the session id (a status, a counted step...). */
export async function updateSession(db: Connection, id: Types.ObjectId, update: Record<string, unknown>, filter: Record<string, unknown> = {}): Promise<boolean> {
  const r = await callSessionModel(db).updateOne({ _id: id, ...filter }, update);
  return r.matchedCount > 0;
}

/** A conditional session update returning the session after it, or null when the filter did not match. */
export function updateSessionReturning(db: Connection, id: Types.ObjectId, update: Record<string, unknown>, filter: Record<string, unknown> = {}) {
  return callSessionModel(db)
    .findOneAndUpdate({ _id: id, ...filter }, update, { returnDocument: 'after' })
    .lean();
}

/** The dial step's reservation id, chosen once per step (see steps/dial.ts). */
export async function chooseDialReservation(db: Connection, id: Types.ObjectId, step: number, fresh: Types.ObjectId): Promise<Types.ObjectId> {
  const sessions = callSessionModel(db);
  const chosen = await sessions.updateOne({ _id: id, 'dialReservation.step': { $ne: step } }, { $set: { dialReservation: { step, id: fresh } } });
  if (chosen.modifiedCount) return fresh;
  const kept = await sessions.findById(id, { dialReservation: 1 }).lean();
  return kept!.dialReservation!.id;
}

export async function callerPinHash(db: Connection, callerId: Types.ObjectId): Promise<string | null> {
  return (await authorizedCallerModel(db).findById(callerId, { pinHash: 1 }).lean())?.pinHash ?? null;
}

export function callerAllowance(db: Connection, callerId: Types.ObjectId) {
  return authorizedCallerModel(db).findById(callerId, { unlimited: 1, available: 1 }).lean();
}

/** The lockout of a target on an extension, when it has not ended. */
export async function activeLockout(db: Connection, extensionId: Types.ObjectId, target: string, now: Date): Promise<{ until: Date } | null> {
  const l = await lockoutModel(db).findById(`${extensionId}:${target}`, { until: 1 }).lean();
  return l && l.until > now ? { until: l.until } : null;
}

export async function ratesOf(db: Connection, rateTableId: Types.ObjectId): Promise<RateDoc[]> {
  return (await rateTableModel(db).findById(rateTableId).lean())?.rates ?? [];
}

/** What the caller-ID engine needs: every channel and the client's numbers (both bounded). */
export function callerIdInputs(db: Connection, clientId: Types.ObjectId) {
  return Promise.all([channelModel(db).find({}).limit(1_000).lean(), phoneNumberModel(db).find({ clientId }, { number: 1, channelId: 1, extensionId: 1 }).limit(5_000).lean()]);
}

export function dialReservation(db: Connection, id: string, sessionId: Types.ObjectId): Promise<ReservationDoc | null> {
  return reservationModel(db).findOne({ _id: id, sessionId }).lean();
}

/** An uploaded sound's address: its own URL, or its token under /sounds/. */
export function playableSound(db: Connection, id: string) {
  return soundModel(db).findById(id, { url: 1, token: 1 }).lean();
}
