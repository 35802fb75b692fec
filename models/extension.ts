import { Schema, type Types, type Connection, type Model } from 'mongoose';

/** A callback extension: every option of the VoipNow "Callback setup" page. */
export type ReturnCalls = 'authorized' | 'caller' | 'fixed';
export type CallerIdMode = 'server' | 'equipment' | 'user';

export interface ExtensionDoc {
  _id: Types.ObjectId;
  clientId: Types.ObjectId;
  extensionNumber: string;
  name: string;
  callback: {
    triggerAfterSeconds: number;
    returnCalls: ReturnCalls;
    fixedNumber: string | null;
    disconnectSound: string | null;
    dialWindowSeconds: number;
    /** scrypt hash of the extension's password; never the digits. */
    passwordHash: string | null;
    requireCallerPassword: boolean;
    allowCreditQuery: boolean;
    /** false: the callback leg is free for the client (the operator absorbs it); every other rule stays. */
    chargeCallbackLeg: boolean;
    retry: { attempts: number; delaySeconds: number; ringTimeoutSeconds: number; detectMachine: boolean };
    /** A catalog's language (src/callflow/i18n/languages.ts), or "auto": chosen per caller from the number's country. */
    language: string;
    /** With "auto": the language for countries the country table does not list. */
    defaultLanguage?: string | null;
    voice: string | null;
    /** A requested or scheduled callback inside these hours waits until they end (src/callflow/quiet-hours.ts). */
    quietHours?: { start: string; end: string; timeZone: string } | null;
    /** Recorded prompts as configured: prompt key -> sound id or https URL. */
    prompts?: Partial<Record<string, string>>;
    /** The same, resolved when saved to what Twilio plays: an https URL or `/sounds/<token>`. */
    promptPlay?: Record<string, string>;
  };
  callerId: {
    name: { mode: CallerIdMode; value: string | null };
    number: { mode: CallerIdMode; value: string | null };
    numbers: string[];
    defaultNumber: string | null;
    hide: boolean;
    sendIdentityHeaders: boolean;
  };
  createdAt: Date;
  updatedAt: Date;
}

const modeValue = (mode: CallerIdMode[]) => new Schema({ mode: { type: String, enum: mode, required: true }, value: { type: String, default: null } }, { _id: false });

export const extensionSchema = new Schema<ExtensionDoc>(
  {
    clientId: { type: Schema.Types.ObjectId, required: true },
    extensionNumber: { type: String, required: true },
    name: { type: String, required: true },
    callback: {
      triggerAfterSeconds: { type: Number, required: true },
      returnCalls: { type: String, enum: ['authorized', 'caller', 'fixed'], required: true },
      fixedNumber: { type: String, default: null },
      disconnectSound: { type: String, default: null },
      dialWindowSeconds: { type: Number, required: true },
      passwordHash: { type: String, default: null },
      requireCallerPassword: { type: Boolean, default: false },
      allowCreditQuery: { type: Boolean, default: false },
      chargeCallbackLeg: { type: Boolean, default: true },
      retry: {
        attempts: { type: Number, required: true },
        delaySeconds: { type: Number, required: true },
        ringTimeoutSeconds: { type: Number, required: true },
        detectMachine: { type: Boolean, required: true },
      },
      language: { type: String, required: true },
      defaultLanguage: { type: String, default: null },
      voice: { type: String, default: null },
      quietHours: { type: new Schema({ start: String, end: String, timeZone: String }, { _id: false }), default: null },
      prompts: { type: Schema.Types.Mixed, default: {} },
      promptPlay: { type: Schema.Types.Mixed, default: {} },
    },
    callerId: {
      name: { type: modeValue(['server', 'equipment', 'user']), required: true },
      number: { type: modeValue(['server', 'equipment', 'user']), required: true },
      numbers: { type: [String], default: [] },
      defaultNumber: { type: String, default: null },
      hide: { type: Boolean, default: false },
      sendIdentityHeaders: { type: Boolean, default: false },
    },
  },
  { collection: 'extensions', versionKey: false, timestamps: true },
);
extensionSchema.index({ clientId: 1, extensionNumber: 1 }, { unique: true });
// "a channel whose numbers are caller IDs of an extension" is checked on channel delete.
extensionSchema.index({ 'callerId.numbers': 1 });
extensionSchema.index({ 'callerId.defaultNumber': 1 });

export type ExtensionModel = Model<ExtensionDoc>;
export const extensionModel = (conn: Connection): ExtensionModel => (conn.models.Extension as ExtensionModel | undefined) ?? conn.model<ExtensionDoc>('Extension', extensionSchema);
