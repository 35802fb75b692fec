import type { Connection } from 'mongoose';
import { authorizedCallerModel } from '../../models/authorized-caller';
import { channelModel } from '../../models/channel';
import { clientModel } from '../../models/client';
import { extensionModel } from '../../models/extension';
import { phoneNumberModel } from '../../models/phone-number';
import { rateTableModel } from '../../models/rate-table';
import { hashPin } from '../security/pin-hash';
import { markConfigChanged } from './config-version';
import { changeCallerCredit, changeClientCredit } from './ledger';

/**
 * Local mode's demo configuration (src/local/demo-data.ts decides when and prints it). Written
 * directly rather than through the API's use cases: it is a fixed, known-good configuration, and its
 * credit goes through the ledger like any other.
 */
export interface DemoConfiguration {
  serviceNumber: string;
  callerNumber: string;
  callerPin: string;
  extensionNumber: string;
  clientName: string;
}

/** Whether any client exists (the demo is written only into an empty database). */
export async function anyClientExists(db: Connection): Promise<boolean> {
  return (await clientModel(db).exists({})) !== null;
}

export async function createDemoConfiguration(db: Connection, demo: DemoConfiguration, now: Date): Promise<void> {
  const rates = await rateTableModel(db).create({
    name: 'Demo rates',
    currency: 'USD',
    rates: [
      { prefix: '+1', perMinute: 100, initialSeconds: 30, incrementSeconds: 6, connectFee: 0 },
      { prefix: '+44', perMinute: 200, initialSeconds: 60, incrementSeconds: 60, connectFee: 0 },
    ],
  });
  const client = await clientModel(db).create({ name: demo.clientName, currency: 'USD', balance: 0, rateTableId: rates._id });
  await changeClientCredit(db, { clientId: client._id, amount: 100_000, kind: 'initial', note: 'demo credit', now });
  const channel = await channelModel(db).create({ name: 'Local PSTN', type: 'twilio', prefixes: [] });
  const ext = await extensionModel(db).create({
    clientId: client._id,
    extensionNumber: demo.extensionNumber,
    name: 'Demo desk',
    callback: {
      triggerAfterSeconds: 3,
      returnCalls: 'authorized',
      fixedNumber: null,
      disconnectSound: null,
      dialWindowSeconds: 20,
      passwordHash: null,
      requireCallerPassword: true,
      allowCreditQuery: true,
      retry: { attempts: 2, delaySeconds: 10, ringTimeoutSeconds: 30, detectMachine: false },
      language: 'en-US',
      voice: null,
    },
    callerId: {
      name: { mode: 'server', value: null },
      number: { mode: 'server', value: null },
      numbers: [demo.serviceNumber],
      defaultNumber: demo.serviceNumber,
      hide: false,
      sendIdentityHeaders: false,
    },
  });
  await phoneNumberModel(db).create({ number: demo.serviceNumber, channelId: channel._id, clientId: client._id, extensionId: ext._id });
  const caller = await authorizedCallerModel(db).create({
    extensionId: ext._id,
    clientId: client._id,
    number: demo.callerNumber,
    name: 'Demo caller',
    pinHash: await hashPin(demo.callerPin),
    enabled: true,
    unlimited: true,
  });
  await changeCallerCredit(db, { callerId: caller._id, amount: 50_000, kind: 'initial', note: 'demo allowance', now });
  await markConfigChanged(db);
}
