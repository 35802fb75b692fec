import { Schema, type Types, type Connection, type Model } from 'mongoose';

/**
 * One callback session: from the inbound call that rang, through the callback, PIN, menu and dials, to
 * the charges. Twilio's retries of the incoming webhook find the same session through its idempotency key
 * (`inbound_calls`, keyed by the inbound CallSid). `timeline` is what GET /api/calls/:id shows.
 */
/** `scheduled`: a requested callback whose time has not come (not active: it holds no lock or call slot yet). */
export type SessionStatus = 'refused' | 'ringing' | 'scheduled' | 'queued' | 'calling' | 'answered' | 'completed' | 'cancelled' | 'failed';

/** How the callback was asked for: the number rang, `POST /api/callbacks`, or an SMS. */
export type SessionOrigin = 'ring' | 'api' | 'sms';

export const ACTIVE_STATUSES: SessionStatus[] = ['ringing', 'queued', 'calling', 'answered'];

export interface TimelineEntry {
  at: Date;
  event: string;
  detail: Record<string, unknown>;
}

export interface CallSessionDoc {
  _id: Types.ObjectId;
  /** The inbound CallSid; for a requested callback its request key (`api:<id>`, `sms:<MessageSid>`). */
  inboundCallSid: string;
  origin: SessionOrigin;
  /**
   * A requested callback's terms: when it is due (its `at`, moved past the quiet hours) and the
   * destination that replaces the destination prompt. Null for a rung callback.
   */
  requested: { dueAt: Date; destination: string | null } | null;
  clientId: Types.ObjectId;
  extensionId: Types.ObjectId;
  calledNumber: string;
  callerNumber: string;
  callerName: string | null;
  target: string | null;
  authorizedCallerId: Types.ObjectId | null;
  reason: string;
  status: SessionStatus;
  ringEndsAt: Date;
  callback: {
    attempts: number;
    callSid: string | null;
    attemptStartedAt: Date | null;
    /** Random per batch of attempts started together: tells the job which sessions its batch moved. */
    attemptToken: string | null;
    lastStatus: string | null;
    machine: boolean;
    answeredAt: Date | null;
    /** The CallSid whose final status was last reported (written before that attempt is settled). */
    endedCallSid: string | null;
    /**
     * The callback-leg seconds (from the answer) the attempt's holds pay for; 0: not known yet (look at
     * the holds); null: nothing to hold (a free leg, unlimited credit). See src/domain/reservations/callback-leg-cover.ts.
     */
    coveredSeconds: number | null;
  };
  auth: { failures: number; passed: boolean; failedSession: boolean };
  /** Idempotency of <Gather>/<Dial> actions: each action URL carries the step it answers. */
  step: number;
  lastTwiml: string | null;
  /**
   * The step whose request `lastTwiml` answers (written in the same update; null: the answer webhook's).
   * A request for step N finding the session at N+1 replays lastTwiml only when this is N.
   */
  answeredStep: number | null;
  /** The claim of the current step: a token that changes on every claim, and when it was made. */
  stepClaim: string | null;
  stepClaimedAt: Date | null;
  /**
   * The claimed step (the `step` the session moved to) whose one counter update ($inc of auth.failures,
   * destination.tries or destination.dials) is applied: a step run again after a crash counts once.
   */
  countedStep: number | null;
  /** The reservation id a dial step uses, chosen before reserving, so a step run again reuses it. */
  dialReservation: { step: number; id: Types.ObjectId } | null;
  /**
   * The rate of the callback leg, chosen when the call rang (longest prefix of the target); null when
   * the callback leg is free for the client (`chargeCallbackLeg: false`).
   */
  callbackRate: { prefix: string; perMinute: number; initialSeconds: number; incrementSeconds: number; connectFee: number } | null;
  destination: { promptAt: Date | null; tries: number; number: string | null; dials: number };
  callerIdTrace: { rule: string; detail: string }[] | null;
  timeline: TimelineEntry[];
  /** The status callbacks already recorded (CallSid:status:SequenceNumber): a replay changes nothing. */
  statusSeen: string[];
  /** The timeline reached its cap and ends with one `timeline-truncated` entry. */
  timelineTruncated: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const callSessionSchema = new Schema<CallSessionDoc>(
  {
    inboundCallSid: { type: String, required: true },
    origin: { type: String, default: 'ring' },
    requested: { type: new Schema({ dueAt: Date, destination: String }, { _id: false }), default: null },
    clientId: { type: Schema.Types.ObjectId, required: true },
    extensionId: { type: Schema.Types.ObjectId, required: true },
    calledNumber: { type: String, required: true },
    callerNumber: { type: String, required: true },
    callerName: { type: String, default: null },
    target: { type: String, default: null },
    authorizedCallerId: { type: Schema.Types.ObjectId, default: null },
    reason: { type: String, required: true },
    status: { type: String, required: true },
    ringEndsAt: { type: Date, required: true },
    callback: {
      attempts: { type: Number, default: 0 },
      callSid: { type: String, default: null },
      attemptStartedAt: { type: Date, default: null },
      attemptToken: { type: String, default: null },
      lastStatus: { type: String, default: null },
      machine: { type: Boolean, default: false },
      answeredAt: { type: Date, default: null },
      endedCallSid: { type: String, default: null },
      coveredSeconds: { type: Number, default: 0 },
    },
    auth: {
      failures: { type: Number, default: 0 },
      passed: { type: Boolean, default: false },
      failedSession: { type: Boolean, default: false },
    },
    step: { type: Number, default: 0 },
    lastTwiml: { type: String, default: null },
    answeredStep: { type: Number, default: null },
    stepClaim: { type: String, default: null },
    stepClaimedAt: { type: Date, default: null },
    countedStep: { type: Number, default: null },
    dialReservation: { type: new Schema({ step: Number, id: Schema.Types.ObjectId }, { _id: false }), default: null },
    callbackRate: {
      type: new Schema({ prefix: String, perMinute: Number, initialSeconds: Number, incrementSeconds: Number, connectFee: Number }, { _id: false }),
      default: null,
    },
    destination: {
      promptAt: { type: Date, default: null },
      tries: { type: Number, default: 0 },
      number: { type: String, default: null },
      dials: { type: Number, default: 0 },
    },
    callerIdTrace: { type: [{ rule: String, detail: String, _id: false }], default: null },
    timeline: { type: [{ at: Date, event: String, detail: Schema.Types.Mixed, _id: false }], default: [] },
    statusSeen: { type: [String], default: [] },
    timelineTruncated: { type: Boolean, default: false },
  },
  { collection: 'call_sessions', versionKey: false, timestamps: true },
);
callSessionSchema.index({ inboundCallSid: 1 }, { unique: true });
callSessionSchema.index({ 'callback.callSid': 1 });
callSessionSchema.index({ clientId: 1, status: 1 });
callSessionSchema.index({ clientId: 1, _id: -1 });
callSessionSchema.index({ extensionId: 1, target: 1, createdAt: -1 });
// The sweeper's repairs: queued sessions without a job, scheduled ones overdue.
callSessionSchema.index({ status: 1, updatedAt: 1 });
callSessionSchema.index({ status: 1, 'requested.dueAt': 1 });

export type CallSessionModel = Model<CallSessionDoc>;
export const callSessionModel = (conn: Connection): CallSessionModel =>
  (conn.models.CallSession as CallSessionModel | undefined) ?? conn.model<CallSessionDoc>('CallSession', callSessionSchema);
