import { markConfigChanged } from '../domain/config-version';
import type { Connection } from 'mongoose';
import { authorizedCallerModel } from '../../models/authorized-caller';
import { channelModel } from '../../models/channel';
import { clientModel } from '../../models/client';
import { extensionModel } from '../../models/extension';
import { phoneNumberModel } from '../../models/phone-number';
import { rateTableModel } from '../../models/rate-table';
import { changeCallerCredit, changeClientCredit } from '../domain/ledger';
import { hashPin } from '../security/pin-hash';

/**
 * Local mode's first start: a complete, working configuration, so `npm run phone` can place a callback
 * within a minute of cloning. Created once (when there is no client yet); the values are printed.
 */
export const DEMO = {
  serviceNumber: '+12025550100',
  callerNumber: '+12025550143',
  callerPin: '1234',
  extensionNumber: '100',
  clientName: 'Demo client',
} as const;

export async function ensureDemoData(db: Connection, now: Date): Promise<string | undefined> {
  if (await clientModel(db).exists({})) return undefined;
  const rates = await rateTableModel(db).create({
    name: 'Demo rates',
    currency: 'USD',
    rates: [
      { prefix: '+1', perMinute: 100, initialSeconds: 30, incrementSeconds: 6, connectFee: 0 },
      { prefix: '+44', perMinute: 200, initialSeconds: 60, incrementSeconds: 60, connectFee: 0 },
    ],
  });
  const client = await clientModel(db).create({ name: DEMO.clientName, currency: 'USD', balance: 0, rateTableId: rates._id });
  await changeClientCredit(db, { clientId: client._id, amount: 100_000, kind: 'initial', note: 'demo credit', now });
  const channel = await channelModel(db).create({ name: 'Local PSTN', type: 'twilio', prefixes: [] });
  const ext = await extensionModel(db).create({
    clientId: client._id,
    extensionNumber: DEMO.extensionNumber,
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
      numbers: [DEMO.serviceNumber],
      defaultNumber: DEMO.serviceNumber,
      hide: false,
      sendIdentityHeaders: false,
    },
  });
  await phoneNumberModel(db).create({ number: DEMO.serviceNumber, channelId: channel._id, clientId: client._id, extensionId: ext._id });
  const caller = await authorizedCallerModel(db).create({
    extensionId: ext._id,
    clientId: client._id,
    number: DEMO.callerNumber,
    name: 'Demo caller',
    pinHash: await hashPin(DEMO.callerPin),
    enabled: true,
    unlimited: true,
  });
  await changeCallerCredit(db, { callerId: caller._id, amount: 50_000, kind: 'initial', note: 'demo allowance', now });
  await markConfigChanged(db);
  return [
    'Demo data created (local mode):',
    `  client "${DEMO.clientName}" with 10.00 USD (rates: +1 at 0.01/min, +44 at 0.02/min)`,
    `  number ${DEMO.serviceNumber} rings back to callback extension ${DEMO.extensionNumber} after 3 s`,
    `  authorized caller ${DEMO.callerNumber}, PIN ${DEMO.callerPin}, credit 5.00`,
    `Try it: npm run phone   (calls ${DEMO.serviceNumber} from ${DEMO.callerNumber})`,
  ].join('\n');
}
