import type { CallSessionDoc } from '../../../models/call-session';
import type { CallEvent } from './emit';

/**
 * The events of a call's life, built from the session the emitting step holds (src/callflow/ and
 * ../call-sessions/ emit them beside their writes). Kept in one place so every path (a rung callback,
 * a requested one, the sweeper's repairs) says the same.
 */
type Session = Pick<CallSessionDoc, '_id' | 'clientId' | 'extensionId' | 'target'>;

const base = (s: Session, at: Date) => ({ clientId: s.clientId, sessionId: s._id, at });

export function queuedEvent(s: Session & Partial<Pick<CallSessionDoc, 'status' | 'callerNumber' | 'calledNumber' | 'origin'>>, at: Date, dueAt?: Date | null): CallEvent {
  return {
    ...base(s, at),
    type: 'callback.queued',
    seq: 0,
    data: {
      extensionId: String(s.extensionId),
      status: s.status ?? 'queued',
      origin: s.origin ?? 'ring',
      callerNumber: s.callerNumber ?? null,
      calledNumber: s.calledNumber ?? null,
      target: s.target ?? null,
      ...(dueAt ? { dueAt: dueAt.toISOString() } : {}),
    },
  };
}

export function placedEvent(s: Session, attempt: number, callSid: string, at: Date): CallEvent {
  return { ...base(s, at), type: 'callback.placed', seq: attempt, data: { attempt, callSid, to: s.target } };
}

export function answeredEvent(s: Session, attempt: number, callSid: string, at: Date): CallEvent {
  return { ...base(s, at), type: 'callback.answered', seq: attempt, data: { attempt, callSid } };
}

export function failedEvent(s: Session, reason: string, attempts: number, at: Date): CallEvent {
  return { ...base(s, at), type: 'callback.failed', seq: 0, data: { reason, attempts } };
}

/** Its charges are added when it is sent, once the legs are settled (./event-facts.ts). */
export function completedEvent(s: Session, attempts: number, at: Date): CallEvent {
  return { ...base(s, at), type: 'call.completed', seq: 0, data: { attempts, target: s.target } };
}
