import { Types } from 'mongoose';
import { DIAL_RING_SECONDS } from '../../billing/both-legs';
import type { Rate } from '../../billing/rating';
import { reserveDialWithCallbackLeg } from '../../domain/reservations/callback-leg-cover';
import { appendSipHeaders, type CallerIdChannel, pickRoutingChannel, resolveCallerId } from '../../caller-id';
import { type ChannelDoc, callerAllowance, callerIdInputs, chooseDialReservation, updateSession } from '../../domain/call-sessions/conversation-store';
import { recordEvent, timelineEntry } from '../../domain/call-sessions/session-events';
import { type DialTarget, dialTwiml, sayAndHangup } from '../twiml';
import { countedUpdate, type Ctx, endSession, notYetCounted, stepUrl } from './context';

type CallerIdDecision = ReturnType<typeof resolveCallerId>;
type Presented = { channel: ChannelDoc; decision: Extract<CallerIdDecision, { outcome: 'ok' }> } | { refused: string };

/** The channel that routes the destination and the caller ID to present on it (the caller-ID engine's decision). */
async function presentCallerId(ctx: Ctx, destination: string): Promise<Presented> {
  const db = ctx.deps.db;
  const now = ctx.deps.clock.now();
  const [channels, numbers] = await callerIdInputs(db, ctx.client._id);
  const engineChannels: CallerIdChannel[] = channels.map((c) => ({ id: String(c._id), name: c.name, type: c.type, prefixes: c.prefixes, sipDomain: c.sip?.domain ?? null }));
  const routing = pickRoutingChannel(engineChannels, destination);
  if (!routing) {
    await recordEvent(db, ctx.s._id, now, 'dial-refused', { destination, reason: 'no channel routes this destination' });
    return { refused: await endSession(ctx, 'no-route', sayAndHangup(ctx.speech, ctx.talk.line('noRate'), ctx.talk.line('goodbye'))) };
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
  await updateSession(db, ctx.s._id, { $set: { callerIdTrace: decision.trace } });
  if (decision.outcome === 'refused') {
    await recordEvent(db, ctx.s._id, now, 'dial-refused', { destination, reason: decision.reason, message: decision.message });
    return { refused: await endSession(ctx, `caller-id-${decision.reason}`, sayAndHangup(ctx.speech, ctx.talk.line('cannotPresentCallerId'))) };
  }
  return { channel: channels.find((c) => String(c._id) === routing.id)!, decision };
}

/** The number or SIP address to dial, and the caller ID it shows. */
function dialTarget(ctx: Ctx, channel: ChannelDoc, decision: Extract<CallerIdDecision, { outcome: 'ok' }>, destination: string): { target: DialTarget; callerId: string | null } {
  if (channel.type === 'sip' && channel.sip) {
    const transport = channel.sip.transport ? `;transport=${channel.sip.transport}` : '';
    return {
      target: {
        kind: 'sip',
        address: appendSipHeaders(`sip:${destination}@${channel.sip.domain}${transport}`, decision.sipHeaders),
        sipUsername: channel.sip.username,
        sipPassword: channel.sip.passwordEnc ? ctx.deps.secretBox.open(channel.sip.passwordEnc) : null,
      },
      callerId: decision.sipCallerId ?? decision.number,
    };
  }
  return { target: { kind: 'number', address: destination }, callerId: decision.number };
}

/**
 * The dial: caller ID, then the credit for both legs (the time limit leaves room for the callback leg
 * running alongside), then the <Dial>. Safe to run again after a crash: the reservation id is chosen
 * once per step and the counted update applies once.
 */
export async function dial(ctx: Ctx, destination: string, rate: Rate): Promise<string> {
  const db = ctx.deps.db;
  const now = ctx.deps.clock.now();
  const presented = await presentCallerId(ctx, destination);
  if ('refused' in presented) return presented.refused;
  const caller = ctx.s.authorizedCallerId ? await callerAllowance(db, ctx.s.authorizedCallerId) : null;
  const reserved = await reserveDialWithCallbackLeg(db, {
    session: ctx.s,
    step: ctx.step,
    reservationId: await chooseDialReservation(db, ctx.s._id, ctx.step, new Types.ObjectId()),
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
  const { target, callerId } = dialTarget(ctx, presented.channel, presented.decision, destination);
  const covered = reserved.coveredSeconds !== undefined ? { 'callback.coveredSeconds': reserved.coveredSeconds } : {};
  const event = { destination, channel: presented.channel.name, callerId, timeLimit: r.seconds, reserved: r.clientAmount, reservationId: String(r._id) };
  await updateSession(
    db,
    ctx.s._id,
    countedUpdate(ctx, { $set: { 'destination.number': destination, ...covered }, $inc: { 'destination.dials': 1 }, $push: { timeline: timelineEntry(now, 'dial', event) } }),
    notYetCounted(ctx),
  );
  const limited = !ctx.client.unlimitedCredit || r.callerAmount > 0;
  return dialTwiml(ctx.speech, {
    before: limited ? [...ctx.talk.talkTime(r.seconds), ctx.talk.line('connecting')] : [ctx.talk.line('connecting')],
    callerId,
    timeLimit: r.seconds,
    ringTimeout: DIAL_RING_SECONDS,
    action: stepUrl(ctx, '/callback/dial-result', { reservation: String(r._id) }),
    target,
  });
}
