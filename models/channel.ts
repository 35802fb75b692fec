import { Schema, type Types, type Connection, type Model } from 'mongoose';

/**
 * A channel (the seed's "resource") routes calls to public destinations: through Twilio's PSTN or a SIP
 * trunk. `prefixes` are the destinations it routes (longest match wins; empty = fallback route).
 * The SIP password is kept encrypted (it must be sent in <Sip password>, so it cannot be hashed).
 */
export interface ChannelDoc {
  _id: Types.ObjectId;
  name: string;
  type: 'twilio' | 'sip';
  prefixes: string[];
  sip: {
    domain: string;
    username: string | null;
    passwordEnc: string | null;
    transport: 'udp' | 'tcp' | 'tls' | null;
  } | null;
  createdAt: Date;
  updatedAt: Date;
}

export const channelSchema = new Schema<ChannelDoc>(
  {
    name: { type: String, required: true },
    type: { type: String, enum: ['twilio', 'sip'], required: true },
    prefixes: { type: [String], default: [] },
    sip: {
      type: new Schema(
        {
          domain: { type: String, required: true },
          username: { type: String, default: null },
          passwordEnc: { type: String, default: null },
          transport: { type: String, enum: ['udp', 'tcp', 'tls', null], default: null },
        },
        { _id: false },
      ),
      default: null,
    },
  },
  { collection: 'channels', versionKey: false, timestamps: true },
);
channelSchema.index({ name: 1 }, { unique: true });

export type ChannelModel = Model<ChannelDoc>;
export const channelModel = (conn: Connection): ChannelModel => (conn.models.Channel as ChannelModel | undefined) ?? conn.model<ChannelDoc>('Channel', channelSchema);
