import type { Connection } from 'mongoose';
import { anyClientExists, createDemoConfiguration } from '../domain/demo-configuration';

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
  if (await anyClientExists(db)) return undefined;
  await createDemoConfiguration(db, DEMO, now);
  return [
    'Demo data created (local mode):',
    `  client "${DEMO.clientName}" with 10.00 USD (rates: +1 at 0.01/min, +44 at 0.02/min)`,
    `  number ${DEMO.serviceNumber} rings back to callback extension ${DEMO.extensionNumber} after 3 s`,
    `  authorized caller ${DEMO.callerNumber}, PIN ${DEMO.callerPin}, credit 5.00`,
    `Try it: npm run phone   (calls ${DEMO.serviceNumber} from ${DEMO.callerNumber})`,
  ].join('\n');
}
