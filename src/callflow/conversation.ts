import { markConfigChanged } from '../domain/config-version';
import { Types } from 'mongoose';
import { authorizedCallerModel } from '../../models/authorized-caller';
import { callSessionModel, type CallSessionDoc } from '../../models/call-session';
import { channelModel } from '../../models/channel';
import { clientModel, type ClientDoc } from '../../models/client';
import { extensionModel, type ExtensionDoc } from '../../models/extension';
import { lockoutModel } from '../../models/lockout';
import { phoneNumberModel } from '../../models/phone-number';
import { rateTableModel } from '../../models/rate-table';
import { reservationModel } from '../../models/reservation';
import { soundModel } from '../../models/sound';
import type { AppDeps } from '../deps';
import { findRate } from '../billing/rating';
import { DIAL_RING_SECONDS } from '../billing/both-legs';
import { coverNextStep, reserveDialWithCallbackLeg } from '../billing/callback-leg-cover';
import { settleReservation } from '../billing/reservations';
import { appendSipHeaders, pickRoutingChannel, resolveCallerId, type CallerIdChannel } from '../caller-id';
import { verifyPin } from '../security/pin-hash';
import { loadFraudSettings } from '../domain/fraud-settings';
import { checkPrefixes, normalizeDestination, operatorDenies } from './destination';
import { extensionSpeech } from './i18n/extension-speech';
import type { PromptLine, Speaker } from './i18n/speaker';
import type { Money } from './i18n/spoken-amount';
import { countWrongPin } from './pin-lockout';
import { PROMPTS } from './prompts';
import { recordEvent, releaseCallbackLock, timelineEntry } from './session-events';
import { claimStep, rememberAnswer, type StepClaim } from './step-guard';
import { openTwiml } from './stored-twiml';
import { dialTwiml, gatherTwiml, hangupTwiml, playAndHangup, sayAndHangup, type DialTarget, type Speech } from './twiml';
import { voiceUrl } from './urls';

const PIN_TRIES = 3;
const DESTINATION_TRIES = 2;
const DIAL_ATTEMPTS = 3;
/** Twilio's Gather timeout is per digit; the dial window as a whole is enforced here. */
const DIGIT_TIMEOUT_S = 5;
const MACHINE = /^(machine_|fax$)/;

interface Ctx {
  deps: AppDeps;
  s: CallSessionDoc;
  ext: ExtensionDoc;
  client: ClientDoc;
  speech: Speech;
  /** Every sentence of the call, in the extension's (or the caller's) language, or its recording. */
  talk: Speaker;
  step: number;
}

const url = (ctx: Ctx, path: string, extra: Record<string, string | number> = {}) =>
  voiceUrl(ctx.deps.config.publicBaseUrl, path, { session: String(ctx.s._id), step: ctx.step, ...extra });

async function loadCtx(deps: AppDeps, s: CallSessionDoc, step: number): Promise<Ctx | null> {
  const [ext, client] = await Promise.all([extensionModel(deps.db).findById(s.extensionId).lean(), clientModel(deps.db).findById(s.clientId).lean()]);
  if (!ext || !client) return null;
  return { deps, s, ext, client, step, ...extensionSpeech(ext.callback, s.target, deps.config.publicBaseUrl) };
}

/** Ends the session; the caller remembers the answer (a step's with the step it answers). */
async function endSession(ctx: Ctx, reason: string, twiml: string): Promise<string> {
  const now = ctx.deps.clock.now();
  await callSessionModel(ctx.deps.db).updateOne(
    { _id: ctx.s._id, status: { $in: ['answered', 'calling'] } },
    { $set: { status: 'completed', reason }, $push: { timeline: timelineEntry(now, 'session-ended', { reason }) } },
  );
  await releaseCallbackLock(ctx.deps.db, ctx.s._id);
  return twiml;
}

/**
 * A step's one counter update ($inc of auth.failures, destination.tries or destination.dials), applied
 * once even when the step is run again after an instance died inside it (`countedStep` marks it done).
 */
type CountedUpdate = { $inc: Record<string, number>; $set?: Record<string, unknown>; $push?: Record<string, unknown> };
const onceFilter = (ctx: Ctx) => ({ _id: ctx.s._id, countedStep: { $ne: ctx.step } });
const onceUpdate = (ctx: Ctx, update: CountedUpdate) => ({ ...update, $set: { ...update.$set, countedStep: ctx.step } });

/** Applies a step's counted update once; `first` is false when an earlier run of the step applied it. */
async function countOnceReporting(ctx: Ctx, update: CountedUpdate): Promise<{ session: CallSessionDoc | null; first: boolean }> {
  const sessions = callSessionModel(ctx.deps.db);
  const counted = await sessions.findOneAndUpdate(onceFilter(ctx), onceUpdate(ctx, update), { returnDocument: 'after' }).lean();
  return counted ? { session: counted, first: true } : { session: await sessions.findById(ctx.s._id).lean(), first: false };
}

/** Applies a step's counted update once; returns the session after it. */
async function countOnce(ctx: Ctx, update: CountedUpdate): Promise<CallSessionDoc | null> {
  const sessions = callSessionModel(ctx.deps.db);
  const counted = await sessions.findOneAndUpdate(onceFilter(ctx), onceUpdate(ctx, update), { returnDocument: 'after' }).lean();
  return counted ?? sessions.findById(ctx.s._id).lean();
}

// ---------------------------------------------------------------- answer

/** `POST /voice/callback/answer`: the callback was answered. */
export async function answerCallback(deps: AppDeps, sessionId: string, p: { CallSid: string; AnsweredBy?: string | undefined }): Promise<string> {
  if (!Types.ObjectId.isValid(sessionId)) return hangupTwiml();
  const sessions = callSessionModel(deps.db);
  const s = await sessions.findById(sessionId).lean();
  if (!s || (s.callback.callSid && s.callback.callSid !== p.CallSid)) return hangupTwiml();
  if (s.status === 'answered' && s.callback.answeredAt) {
    if (s.lastTwiml) return openTwiml(deps.secretBox, s.lastTwiml); // Twilio retried
    // The instance died after marking the answer and before saving its TwiML: Twilio's retry builds it.
    if (s.callback.callSid === p.CallSid && s.step === 0) return firstPrompt(deps, s);
    return hangupTwiml();
  }
  if (s.status !== 'calling') return hangupTwiml();
  const now = deps.clock.now();
  if (p.AnsweredBy && MACHINE.test(p.AnsweredBy)) {
    // Voicemail would cost money and help nobody: hang up; the status callback schedules a retry.
    await sessions.updateOne(
      { _id: s._id },
      { $set: { 'callback.machine': true, 'callback.callSid': p.CallSid }, $push: { timeline: timelineEntry(now, 'callback-machine', { answeredBy: p.AnsweredBy }) } },
    );
    return hangupTwiml();
  }
  const answered = await sessions
    .findOneAndUpdate(
      { _id: s._id, status: 'calling' },
      {
        $set: { status: 'answered', 'callback.answeredAt': now, 'callback.callSid': p.CallSid },
        $push: { timeline: timelineEntry(now, 'callback-answered', { callSid: p.CallSid, answeredBy: p.AnsweredBy ?? null }) },
      },
      { returnDocument: 'after' },
    )
    .lean();
  if (!answered) return hangupTwiml();
  return firstPrompt(deps, answered);
}

/** What the callee hears first (password, menu or destination prompt), kept for Twilio's retries. */
async function firstPrompt(deps: AppDeps, answered: CallSessionDoc): Promise<string> {
  const ctx = await loadCtx(deps, answered, answered.step);
  if (!ctx) return sayAndHangup({ language: 'en-US', voice: null }, PROMPTS.sessionEnded);
  const needs = await passwordNeeded(ctx);
  if (needs === 'unavailable') return rememberAnswer(deps, answered._id, await endSession(ctx, 'no-password-for-caller', sayAndHangup(ctx.speech, ctx.talk.line('goodbye'))));
  const twiml = needs ? pinPrompt(ctx, []) : await afterAuth(ctx, []);
  return rememberAnswer(deps, answered._id, twiml);
}

/** The hash to check, null when no password is asked, 'unavailable' when one is required but none exists. */
async function passwordNeeded(ctx: Ctx): Promise<string | null | 'unavailable'> {
  if (ctx.ext.callback.requireCallerPassword) {
    if (!ctx.s.authorizedCallerId) return 'unavailable';
    const caller = await authorizedCallerModel(ctx.deps.db).findById(ctx.s.authorizedCallerId, { pinHash: 1 }).lean();
    return caller?.pinHash ?? 'unavailable';
  }
  return ctx.ext.callback.passwordHash ?? null;
}

function pinPrompt(ctx: Ctx, before: PromptLine[]): string {
  return gatherTwiml(ctx.speech, { action: url(ctx, '/callback/pin'), lines: [ctx.talk.line('enterPassword')], finishOnKey: '#', timeout: 10, before });
}

async function afterAuth(ctx: Ctx, before: PromptLine[]): Promise<string> {
  if (ctx.ext.callback.allowCreditQuery) return menuPrompt(ctx, before);
  return destinationPrompt(ctx, before);
}

function menuPrompt(ctx: Ctx, before: PromptLine[]): string {
  return gatherTwiml(ctx.speech, { action: url(ctx, '/callback/menu'), lines: [ctx.talk.line('menu')], numDigits: 1, timeout: 8, before });
}

async function destinationPrompt(ctx: Ctx, before: PromptLine[]): Promise<string> {
  await callSessionModel(ctx.deps.db).updateOne({ _id: ctx.s._id }, { $set: { 'destination.promptAt': ctx.deps.clock.now() } });
  return gatherTwiml(ctx.speech, {
    action: url(ctx, '/callback/destination'),
    lines: [ctx.talk.line('enterDestination')],
    finishOnKey: '#',
    timeout: Math.min(DIGIT_TIMEOUT_S, ctx.ext.callback.dialWindowSeconds),
    before,
  });
}

// ---------------------------------------------------------------- steps

type StepHandler = (ctx: Ctx, digits: string, body: Record<string, string>, query: StepQuery) => Promise<string>;

export interface StepQuery {
  session?: string | undefined;
  step?: string | undefined;
  reservation?: string | undefined;
}

/** Runs one conversation step exactly once per `step` (a Twilio retry gets the same answer). */
export async function runStep(
  deps: AppDeps,
  kind: 'pin' | 'menu' | 'destination' | 'dial-result',
  q: StepQuery,
  body: Record<string, string>,
): Promise<string> {
  if (!q.session || !Types.ObjectId.isValid(q.session) || !/^\d{1,4}$/.test(q.step ?? '')) return hangupTwiml();
  const sessionId = new Types.ObjectId(q.session);
  const claim = await claimStep(deps, sessionId, Number(q.step));
  if (!claim.go) return claim.twiml;
  // Every answer from here on is remembered with the step it answers, so a retry never runs it twice.
  return rememberAnswer(deps, sessionId, await handleClaimed(deps, kind, claim, sessionId, q, body), claim);
}

async function handleClaimed(
  deps: AppDeps,
  kind: 'pin' | 'menu' | 'destination' | 'dial-result',
  claim: StepClaim,
  sessionId: Types.ObjectId,
  q: StepQuery,
  body: Record<string, string>,
): Promise<string> {
  const s = await callSessionModel(deps.db).findById(sessionId).lean();
  if (!s) return hangupTwiml();
  // The callback leg's final status can come before the <Dial action> (the caller hung up during the
  // bridge): the session has ended, but that dial must still be billed now, not left to the sweeper.
  const billOnly = kind === 'dial-result' && s.status === 'completed';
  if (s.status !== 'answered' && !billOnly) return hangupTwiml();
  const ctx = await loadCtx(deps, s, claim.step);
  if (!ctx) return sayAndHangup({ language: 'en-US', voice: null }, PROMPTS.sessionEnded);
  // The callback leg runs on while the caller is in the conversation: the step must be paid for.
  if (!billOnly && !(await coverStep(ctx))) return endSession(ctx, 'insufficient-credit', sayAndHangup(ctx.speech, ctx.talk.line('noCredit')));
  const handler: Record<typeof kind, StepHandler> = { pin: onPin, menu: onMenu, destination: onDestination, 'dial-result': onDialResult };
  const digits = typeof body.Digits === 'string' ? body.Digits.replace(/[^0-9*#]/g, '').slice(0, 32) : '';
  const twiml = await handler[kind](ctx, digits, body, q);
  return billOnly ? hangupTwiml() : twiml;
}

/** Holds more for the callback leg when its holds would not pay this step (src/billing/callback-leg-cover.ts). */
async function coverStep(ctx: Ctx): Promise<boolean> {
  const cover = await coverNextStep(ctx.deps.db, ctx.s, ctx.step, ctx.deps.clock.now());
  if (cover.ok && cover.coveredSeconds !== undefined) {
    await callSessionModel(ctx.deps.db).updateOne({ _id: ctx.s._id }, { $set: { 'callback.coveredSeconds': cover.coveredSeconds } });
  }
  if (!cover.ok) await recordEvent(ctx.deps.db, ctx.s._id, ctx.deps.clock.now(), 'callback-leg-credit-ended', {});
  return cover.ok;
}

const onPin: StepHandler = async (ctx, digits) => {
  // Read with the password: a target locked out meanwhile (wrong PINs in another session) is refused
  // even with the right PIN.
  const [hash, lockout] = await Promise.all([
    passwordNeeded(ctx),
    ctx.s.target ? lockoutModel(ctx.deps.db).findById(`${ctx.ext._id}:${ctx.s.target}`, { until: 1 }).lean() : null,
  ]);
  if (lockout && lockout.until > ctx.deps.clock.now()) {
    await recordEvent(ctx.deps.db, ctx.s._id, ctx.deps.clock.now(), 'password-refused-locked-out', { until: lockout.until });
    return endSession(ctx, 'target-locked-out', sayAndHangup(ctx.speech, ctx.talk.line('tooManyPasswordTries')));
  }
  if (hash === 'unavailable') return endSession(ctx, 'no-password-for-caller', sayAndHangup(ctx.speech, ctx.talk.line('goodbye')));
  const ok = hash === null || (digits.length > 0 && (await verifyPin(digits.replace(/#$/, ''), hash)));
  const now = ctx.deps.clock.now();
  if (ok) {
    await callSessionModel(ctx.deps.db).updateOne(
      { _id: ctx.s._id },
      { $set: { 'auth.passed': true }, $push: { timeline: timelineEntry(now, 'password-accepted', {}) } },
    );
    return afterAuth(ctx, []);
  }
  const counted = await countOnceReporting(ctx, { $inc: { 'auth.failures': 1 }, $push: { timeline: timelineEntry(now, 'password-rejected', {}) } });
  // Every wrong PIN counts toward the target's lockout, whatever the session: hanging up after two
  // guesses no longer resets anything. A step run again (Twilio's retry) is not a second guess.
  if (counted.first && (await countWrongPin(ctx.deps, ctx.s))) {
    return endSession(ctx, 'target-locked-out', sayAndHangup(ctx.speech, ctx.talk.line('tooManyPasswordTries')));
  }
  const s = counted.session;
  if ((s?.auth.failures ?? PIN_TRIES) < PIN_TRIES) return pinPrompt(ctx, [ctx.talk.line('wrongPassword')]);
  await callSessionModel(ctx.deps.db).updateOne({ _id: ctx.s._id }, { $set: { 'auth.failedSession': true } });
  return endSession(ctx, 'password-failed', sayAndHangup(ctx.speech, ctx.talk.line('tooManyPasswordTries')));
};

const onMenu: StepHandler = async (ctx, digits) => {
  if (digits === '1') {
    const credit = await spokenCredit(ctx);
    await recordEvent(ctx.deps.db, ctx.s._id, ctx.deps.clock.now(), 'credit-query', {});
    return menuPrompt(ctx, ctx.talk.credit(credit));
  }
  if (digits === '2') return destinationPrompt(ctx, []);
  return menuPrompt(ctx, digits ? [ctx.talk.line('invalidChoice')] : []);
};

/** The authorized caller ID's available credit when limited, otherwise the client's balance. */
async function spokenCredit(ctx: Ctx): Promise<Money> {
  if (ctx.s.authorizedCallerId) {
    const caller = await authorizedCallerModel(ctx.deps.db).findById(ctx.s.authorizedCallerId, { unlimited: 1, available: 1 }).lean();
    if (caller && !caller.unlimited) return { amount: caller.available, currency: ctx.client.currency };
  }
  return { amount: ctx.client.balance, currency: ctx.client.currency };
}

const onDestination: StepHandler = async (ctx, digits) => {
  const now = ctx.deps.clock.now();
  const promptAt = ctx.s.destination.promptAt ?? now;
  const windowEnd = promptAt.getTime() + ctx.ext.callback.dialWindowSeconds * 1000;
  const dialed = digits.replace(/#+$/, '');
  // The window ends the collection: what was dialed by then is the number; nothing dialed ends the call.
  await recordEvent(ctx.deps.db, ctx.s._id, now, 'destination-dialed', { digits: dialed, afterWindow: now.getTime() > windowEnd });
  if (!dialed) return endSession(ctx, 'nothing-dialed', sayAndHangup(ctx.speech, ctx.talk.line('nothingDialed')));

  const normalized = normalizeDestination(dialed, ctx.s.target ?? '');
  let problem: 'invalidNumber' | 'deniedNumber' | 'noRate' | null = null;
  let destination = '';
  let rate;
  if (!normalized.ok) problem = 'invalidNumber';
  else {
    destination = normalized.e164;
    const [table, fraud] = await Promise.all([rateTableModel(ctx.deps.db).findById(ctx.client.rateTableId).lean(), loadFraudSettings(ctx.deps.db)]);
    // The operator's deny list (high-risk ranges) applies to every client's destinations too.
    if (!checkPrefixes(destination, ctx.client.allowPrefixes, ctx.client.denyPrefixes).ok || operatorDenies(destination, fraud.denyPrefixes)) {
      problem = 'deniedNumber';
    } else {
      rate = findRate(table?.rates ?? [], destination);
      if (!rate) problem = 'noRate';
    }
  }
  if (problem || !rate) {
    const s = await countOnce(ctx, { $inc: { 'destination.tries': 1 } });
    // The timeline keeps the English sentence: it is read by the operator, not the caller.
    await recordEvent(ctx.deps.db, ctx.s._id, now, 'destination-refused', { digits: dialed, reason: PROMPTS[problem ?? 'invalidNumber'] });
    const said = ctx.talk.line(problem ?? 'invalidNumber');
    if ((s?.destination.tries ?? DESTINATION_TRIES) >= DESTINATION_TRIES) {
      return endSession(ctx, 'destination-refused', sayAndHangup(ctx.speech, said, ctx.talk.line('noMoreTries')));
    }
    return destinationPrompt(ctx, [said, ctx.talk.line('tryAgain')]);
  }
  return dial(ctx, destination, rate);
};

async function dial(ctx: Ctx, destination: string, rate: NonNullable<ReturnType<typeof findRate>>): Promise<string> {
  const db = ctx.deps.db;
  const now = ctx.deps.clock.now();
  const [channels, numbers] = await Promise.all([
    channelModel(db).find({}).limit(1_000).lean(),
    phoneNumberModel(db).find({ clientId: ctx.client._id }, { number: 1, channelId: 1, extensionId: 1 }).limit(5_000).lean(),
  ]);
  const engineChannels: CallerIdChannel[] = channels.map((c) => ({
    id: String(c._id),
    name: c.name,
    type: c.type,
    prefixes: c.prefixes,
    sipDomain: c.sip?.domain ?? null,
  }));
  const routing = pickRoutingChannel(engineChannels, destination);
  if (!routing) {
    await recordEvent(db, ctx.s._id, now, 'dial-refused', { destination, reason: 'no channel routes this destination' });
    return endSession(ctx, 'no-route', sayAndHangup(ctx.speech, ctx.talk.line('noRate'), ctx.talk.line('goodbye')));
  }
  const decision = resolveCallerId({
    extension: {
      id: String(ctx.ext._id),
      name: ctx.ext.name,
      publicNumber: numbers.find((n) => String(n.extensionId) === String(ctx.ext._id))?.number ?? null,
      callerId: ctx.ext.callerId,
    },
    clientNumbers: numbers.map((n) => ({ number: n.number, channelId: String(n.channelId) })),
    channels: engineChannels,
    routingChannel: routing,
    equipment: { number: ctx.s.target, name: ctx.s.callerName },
    leg: { calledNumber: ctx.s.target, callingNumber: ctx.s.calledNumber },
    destination,
    random: ctx.deps.random,
  });
  await callSessionModel(db).updateOne({ _id: ctx.s._id }, { $set: { callerIdTrace: decision.trace } });
  if (decision.outcome === 'refused') {
    await recordEvent(db, ctx.s._id, now, 'dial-refused', { destination, reason: decision.reason, message: decision.message });
    return endSession(ctx, `caller-id-${decision.reason}`, sayAndHangup(ctx.speech, ctx.talk.line('cannotPresentCallerId')));
  }

  const caller = ctx.s.authorizedCallerId
    ? await authorizedCallerModel(db).findById(ctx.s.authorizedCallerId, { unlimited: 1, available: 1 }).lean()
    : null;
  // Both legs are money: the time limit leaves room for the callback leg running alongside the dial.
  const reserved = await reserveDialWithCallbackLeg(db, {
    session: ctx.s,
    step: ctx.step,
    reservationId: await reservationIdFor(ctx),
    client: ctx.client,
    caller: caller ? { id: caller._id, unlimited: caller.unlimited, available: caller.available } : null,
    rate,
    destination,
    now,
  });
  if (!reserved.ok) {
    await recordEvent(db, ctx.s._id, now, 'dial-refused', { destination, reason: 'insufficient-credit' });
    return endSession(ctx, 'insufficient-credit', sayAndHangup(ctx.speech, ctx.talk.line('noCredit')));
  }
  const r = reserved.reservation;
  const channel = channels.find((c) => String(c._id) === routing.id)!;
  let target: DialTarget;
  let callerId: string | null;
  if (channel.type === 'sip' && channel.sip) {
    const transport = channel.sip.transport ? `;transport=${channel.sip.transport}` : '';
    target = {
      kind: 'sip',
      address: appendSipHeaders(`sip:${destination}@${channel.sip.domain}${transport}`, decision.sipHeaders),
      sipUsername: channel.sip.username,
      sipPassword: channel.sip.passwordEnc ? ctx.deps.secretBox.open(channel.sip.passwordEnc) : null,
    };
    callerId = decision.sipCallerId ?? decision.number;
  } else {
    target = { kind: 'number', address: destination };
    callerId = decision.number;
  }
  await callSessionModel(db).updateOne(
    onceFilter(ctx),
    onceUpdate(ctx, {
      $set: { 'destination.number': destination, ...(reserved.coveredSeconds !== undefined ? { 'callback.coveredSeconds': reserved.coveredSeconds } : {}) },
      $inc: { 'destination.dials': 1 },
      $push: {
        timeline: timelineEntry(now, 'dial', {
          destination,
          channel: channel.name,
          callerId,
          timeLimit: r.seconds,
          reserved: r.clientAmount,
          reservationId: String(r._id),
        }),
      },
    }),
  );
  const limited = !ctx.client.unlimitedCredit || r.callerAmount > 0;
  return dialTwiml(ctx.speech, {
    before: limited ? [...ctx.talk.talkTime(r.seconds), ctx.talk.line('connecting')] : [ctx.talk.line('connecting')],
    callerId,
    timeLimit: r.seconds,
    ringTimeout: DIAL_RING_SECONDS,
    action: url(ctx, '/callback/dial-result', { reservation: String(r._id) }),
    target,
  });
}

/**
 * The id of this step's reservation, chosen once per step and kept on the session before anything is
 * reserved: a dial step run again after a crash reuses (or finishes) its reservation, never holds twice.
 */
async function reservationIdFor(ctx: Ctx): Promise<Types.ObjectId> {
  const sessions = callSessionModel(ctx.deps.db);
  const id = new Types.ObjectId();
  const chosen = await sessions.updateOne({ _id: ctx.s._id, 'dialReservation.step': { $ne: ctx.step } }, { $set: { dialReservation: { step: ctx.step, id } } });
  if (chosen.modifiedCount) return id;
  const kept = await sessions.findById(ctx.s._id, { dialReservation: 1 }).lean();
  return kept!.dialReservation!.id;
}

const onDialResult: StepHandler = async (ctx, _digits, body, query) => {
  const db = ctx.deps.db;
  const now = ctx.deps.clock.now();
  const resId = query.reservation;
  const reservation = resId && Types.ObjectId.isValid(resId) ? await reservationModel(db).findOne({ _id: resId, sessionId: ctx.s._id }).lean() : null;
  const status = body.DialCallStatus ?? 'failed';
  const duration = Math.max(0, Number.parseInt(body.DialCallDuration ?? '0', 10) || 0);
  let charge = 0;
  let balanceAfter: number | null = null;
  if (reservation) {
    const settled = await settleReservation(db, reservation._id, { duration, dialCallSid: body.DialCallSid ?? null }, now);
    charge = settled.charge;
    balanceAfter = settled.balanceAfter;
  }
  await recordEvent(db, ctx.s._id, now, 'dial-ended', { status, duration, dialCallSid: body.DialCallSid ?? null, charge, balanceAfter });

  const talked = status === 'completed' || status === 'answered';
  if (talked && reservation && duration >= reservation.seconds - 1) {
    return endSession(ctx, 'credit-ended', playAndHangup(ctx.speech, await disconnectSound(ctx)));
  }
  if (talked) return endSession(ctx, 'dial-completed', hangupTwiml());
  const message = ctx.talk.line(status === 'busy' ? 'busy' : status === 'no-answer' ? 'noAnswer' : 'failed');
  if (ctx.s.destination.dials >= DIAL_ATTEMPTS) return endSession(ctx, `dial-${status}`, sayAndHangup(ctx.speech, message, ctx.talk.line('goodbye')));
  await callSessionModel(db).updateOne({ _id: ctx.s._id }, { $set: { 'destination.tries': 0 } });
  return destinationPrompt(ctx, [message]);
};

/** The extension's sound (an uploaded one is served at /sounds/<token>), or the creditEnded prompt (recorded or said). */
async function disconnectSound(ctx: Ctx): Promise<{ url: string } | { text: string }> {
  const sound = ctx.ext.callback.disconnectSound;
  const ended = ctx.talk.line('creditEnded');
  const fallback = typeof ended === 'string' ? { text: ended } : { url: ended.play };
  if (!sound) return fallback;
  if (sound.startsWith('https://')) return { url: sound };
  if (!Types.ObjectId.isValid(sound)) return fallback;
  const doc = await soundModel(ctx.deps.db).findById(sound, { url: 1, token: 1 }).lean();
  if (doc?.url) return { url: doc.url };
  if (doc?.token) return { url: `${ctx.deps.config.publicBaseUrl}/sounds/${doc.token}` };
  return fallback;
}
