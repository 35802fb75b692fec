import { Schema, type Types, type Connection, type Model } from 'mongoose';

/**
 * A sound of the sound manager: an external https URL, or an uploaded WAV/MP3 kept in the database and
 * served at /sounds/<token> (the token is random and unguessable, since Twilio fetches it unauthenticated).
 * `clientId: null` is the operator's library, readable by every client.
 */
export interface SoundDoc {
  _id: Types.ObjectId;
  clientId: Types.ObjectId | null;
  name: string;
  url: string | null;
  data: Buffer | null;
  contentType: string | null;
  size: number | null;
  token: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const soundSchema = new Schema<SoundDoc>(
  {
    clientId: { type: Schema.Types.ObjectId, default: null, index: true },
    name: { type: String, required: true },
    url: { type: String, default: null },
    data: { type: Buffer, default: null },
    contentType: { type: String, default: null },
    size: { type: Number, default: null },
    token: { type: String, default: null },
  },
  { collection: 'sounds', versionKey: false, timestamps: true },
);
soundSchema.index({ token: 1 });

export type SoundModel = Model<SoundDoc>;
export const soundModel = (conn: Connection): SoundModel => (conn.models.Sound as SoundModel | undefined) ?? conn.model<SoundDoc>('Sound', soundSchema);
