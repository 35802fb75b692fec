import { Types } from 'mongoose';
import { extensionModel } from '../../models/extension';
import { testDb } from './database';

let seq = 0;

/** An extension written straight to the database, for tests about other resources that refer to one. */
export async function createExtensionDoc(clientId: string, callerId: { numbers?: string[]; defaultNumber?: string | null } = {}): Promise<string> {
  const ext = await extensionModel(testDb()).create({
    clientId: new Types.ObjectId(clientId),
    extensionNumber: `0003*${String(++seq).padStart(3, '0')}`,
    name: 'Front desk',
    callback: {
      triggerAfterSeconds: 5,
      returnCalls: 'caller',
      dialWindowSeconds: 15,
      retry: { attempts: 2, delaySeconds: 30, ringTimeoutSeconds: 30, detectMachine: true },
      language: 'en-US',
    },
    callerId: {
      name: { mode: 'server' },
      number: { mode: 'server' },
      numbers: callerId.numbers ?? [],
      defaultNumber: callerId.defaultNumber ?? null,
    },
  });
  return String(ext._id);
}
