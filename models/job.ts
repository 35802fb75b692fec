import { Schema, type Types, type Connection, type Model } from 'mongoose';

/**
 * A durable job (placing a callback, settling a forgotten reservation). Claimed atomically with a lease:
 * `queued` and due, or `running` with an expired lease (its instance died), becomes `running` for one
 * owner. Several instances never run the same job at once.
 */
export interface JobDoc {
  _id: Types.ObjectId;
  /** Idempotency key (e.g. `<session>:place:<attempt>`): writing the same job twice is a no-op. */
  key: string;
  type: 'place-callback' | 'settle-reservation' | 'deliver-event';
  sessionId: Types.ObjectId;
  dueAt: Date;
  state: 'queued' | 'running' | 'done' | 'cancelled' | 'failed';
  leaseOwner: string | null;
  leaseUntil: Date | null;
  /** Random per claim round: tells an instance which of the jobs it asked for it won. */
  leaseToken: string | null;
  /** Transient failures (Twilio 5xx, timeouts) retried with backoff; not callback attempts. */
  tries: number;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const jobSchema = new Schema<JobDoc>(
  {
    key: { type: String, required: true },
    type: { type: String, required: true },
    sessionId: { type: Schema.Types.ObjectId, required: true, index: true },
    dueAt: { type: Date, required: true },
    state: { type: String, required: true },
    leaseOwner: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    leaseToken: { type: String, default: null },
    tries: { type: Number, default: 0 },
    lastError: { type: String, default: null },
  },
  { collection: 'jobs', versionKey: false, timestamps: true },
);
jobSchema.index({ key: 1 }, { unique: true });
jobSchema.index({ state: 1, dueAt: 1 });
jobSchema.index({ state: 1, leaseUntil: 1 });

export type JobModel = Model<JobDoc>;
export const jobModel = (conn: Connection): JobModel => (conn.models.Job as JobModel | undefined) ?? conn.model<JobDoc>('Job', jobSchema);
