import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBackgroundWork } from '../../src/callflow/background';
import { systemClock } from '../../src/clock';
import { fastClock, scriptedKeys, type PartyBehaviour } from '../../src/twilio-sim/interpreter';
import { describeNotice } from '../../src/twilio-sim/scenario';
import { LocalTwilio } from '../../src/twilio-sim/simulator';
import { apiAs, createClientWithKey, type ApiAs } from './api';
import { createTestApp, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, type TestApp } from './harness';

/**
 * The scripted phone simulator against the real service: the service listens on loopback with a real
 * clock and its job runner; the simulator is its Twilio (REST stand-in) and the caller's phone. The
 * simulator's own clock is virtual, so a 5-minute dial takes no time; only the held ring (1 s) and the
 * reject-to-callback delay (3 s) are real.
 */
export const SERVICE_NUMBER = '+12025550100';
export const SIM_CALLER = '+12025550143';
export const SIM_CALLER_PIN = '1234';
export const DISCONNECT_SOUND = 'https://sounds.example.test/credit-ended.mp3';

export interface PhoneRun {
  sim: LocalTwilio;
  t: TestApp;
  server: http.Server;
  background: { stop(): Promise<void> };
  base: string;
  admin: ApiAs;
  transcript: string[];
}

export async function startPhoneRun(keys: string[], party: PartyBehaviour): Promise<PhoneRun> {
  const transcript: string[] = [];
  const sim = new LocalTwilio({
    accountSid: TEST_ACCOUNT_SID,
    authToken: TEST_AUTH_TOKEN,
    clock: fastClock(),
    keys: scriptedKeys(keys),
    party: () => party,
    phone: { kind: 'auto', afterS: 2 },
    onNotice: (n) => {
      const line = describeNotice(n, { emoji: false });
      if (line) transcript.push(line);
    },
  });
  const twilioBase = await sim.start();
  let handler: http.RequestListener = (_req, res) => res.end();
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const t = createTestApp({ env: { PUBLIC_BASE_URL: base }, twilioApiBaseUrl: twilioBase, clock: systemClock });
  handler = t.app;
  const background = startBackgroundWork(t.deps, { pollMs: 100, owner: 'sim-test' });
  return { sim, t, server, background, base, admin: apiAs(t.app), transcript };
}

export async function stopPhoneRun(r: PhoneRun): Promise<void> {
  await r.background.stop();
  r.server.closeAllConnections();
  await new Promise<void>((res) => r.server.close(() => res()));
  r.sim.standin.assertNoViolations();
  await r.sim.stop();
}

/** The demo setup of local mode, through the API, with a 1 s ring and a small caller allowance. */
export async function seedDemo(admin: ApiAs, app: TestApp['app']): Promise<{ clientId: string; extensionId: string }> {
  const rt = await admin
    .post('/api/rate-tables', {
      name: 'Demo rates',
      currency: 'USD',
      rates: [{ prefix: '+1', perMinute: '0.0100', initialSeconds: 30, incrementSeconds: 6 }],
    })
    .expect(201);
  const c = await createClientWithKey(app, { credit: '10.00', rateTableId: rt.body.id });
  const ch = await admin.post('/api/channels', { name: 'Local PSTN', type: 'twilio', prefixes: [] }).expect(201);
  const ext = await admin
    .post('/api/extensions', {
      clientId: c.clientId,
      extensionNumber: '100',
      name: 'Demo desk',
      // The figures below are the dial leg's (a 5-minute limit on 0.05); both legs are priced in test/callflow/both-legs.test.ts.
      callback: {
        returnCalls: 'authorized',
        triggerAfterSeconds: 1,
        requireCallerPassword: true,
        allowCreditQuery: true,
        disconnectSound: DISCONNECT_SOUND,
        chargeCallbackLeg: false,
      },
      callerId: {},
    })
    .expect(201);
  await admin.post(`/api/channels/${ch.body.id}/numbers`, { number: SERVICE_NUMBER, clientId: c.clientId, extensionId: ext.body.id }).expect(201);
  // 0.05 at 0.01/min: a 5-minute time limit, so a 400 s conversation is cut.
  await admin.post(`/api/extensions/${ext.body.id}/authorized-callers`, { number: SIM_CALLER, password: SIM_CALLER_PIN, credit: '0.05' }).expect(201);
  return { clientId: c.clientId, extensionId: ext.body.id };
}
