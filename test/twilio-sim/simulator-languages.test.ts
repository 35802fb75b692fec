import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBackgroundWork } from '../../src/callflow/background';
import { CATALOGS } from '../../src/callflow/i18n/catalogs';
import { systemClock } from '../../src/clock';
import { fastClock, scriptedKeys } from '../../src/twilio-sim/interpreter';
import { describeNotice, runScenario } from '../../src/twilio-sim/scenario';
import { LocalTwilio } from '../../src/twilio-sim/simulator';
import { apiAs, createClientWithKey } from '../support/api';
import { createTestApp, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../support/harness';

/**
 * The phone simulator against the real service, in French with a recorded password prompt: the
 * caller types the PIN over the recording (a "!" script), which cuts it short as Twilio does, and
 * the transcript shows each sentence's language and marks the recording.
 */
const SERVICE_NUMBER = '+12025550100';
const CALLER = '+12025550143';
const PIN_RECORDING = 'https://sounds.example.test/fr/code.mp3';

describe('phone simulator: a French callback with a recorded password prompt', function () {
  this.timeout(90_000);

  it('when the PIN is typed over the recorded enterPassword, then the recording is cut by the first key, and every sentence is French', async () => {
    const transcript: string[] = [];
    const sim = new LocalTwilio({
      accountSid: TEST_ACCOUNT_SID,
      authToken: TEST_AUTH_TOKEN,
      clock: fastClock(),
      keys: scriptedKeys(['!1234#', '1', '2', '']),
      party: () => ({ outcome: 'answer', answerAfterS: 2, talkS: 10 }),
      phone: { kind: 'auto', afterS: 2 },
      onNotice: (n) => {
        const line = describeNotice(n, { emoji: false });
        if (line) transcript.push(line);
      },
    });
    const server = http.createServer();
    const twilioBase = await sim.start();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const t = createTestApp({ env: { PUBLIC_BASE_URL: base }, twilioApiBaseUrl: twilioBase, clock: systemClock });
    server.on('request', t.app);
    const background = startBackgroundWork(t.deps, { pollMs: 100, owner: 'sim-i18n' });
    try {
      const admin = apiAs(t.app);
      const rt = await admin.post('/api/rate-tables', { name: 'EUR', currency: 'EUR', rates: [{ prefix: '+1', perMinute: '0.0100' }] }).expect(201);
      const c = await createClientWithKey(t.app, { credit: '12.50', currency: 'EUR', rateTableId: rt.body.id });
      const ch = await admin.post('/api/channels', { name: 'PSTN', type: 'twilio', prefixes: [] }).expect(201);
      const ext = await admin
        .post('/api/extensions', {
          clientId: c.clientId,
          extensionNumber: '100',
          name: 'Accueil',
          // The credit spoken is the dial-only figure; what the callback leg holds is tested in test/callflow/both-legs.
          callback: {
            returnCalls: 'authorized',
            triggerAfterSeconds: 1,
            requireCallerPassword: true,
            allowCreditQuery: true,
            chargeCallbackLeg: false,
            language: 'fr-FR',
            prompts: { enterPassword: PIN_RECORDING },
          },
        })
        .expect(201);
      await admin.post(`/api/channels/${ch.body.id}/numbers`, { number: SERVICE_NUMBER, clientId: c.clientId, extensionId: ext.body.id }).expect(201);
      await admin.post(`/api/extensions/${ext.body.id}/authorized-callers`, { number: CALLER, password: '1234', credit: 'unlimited' }).expect(201);

      const r = await runScenario(sim, { serviceUrl: base, from: CALLER, to: SERVICE_NUMBER, callbackWaitMs: 15_000 }, (l) => transcript.push(l));
      assert.deepEqual(r.errors, [], transcript.join('\n'));
      const events = r.callback!.events;
      // The recording plays, the first key cuts it, and the whole PIN still reaches the service.
      const play = events.findIndex((e) => e.type === 'play' && e.url === PIN_RECORDING);
      assert.ok(play >= 0, transcript.join('\n'));
      assert.deepEqual(events[play + 1], { type: 'prompt-cut', index: 0, key: '1' });
      const firstGather = events.find((e) => e.type === 'gather-end' && e.index === 0);
      assert.deepEqual(firstGather, { type: 'gather-end', index: 0, digits: '1234', reason: 'finishOnKey' });

      const fr = CATALOGS['fr-FR'].sentences;
      const said = events.flatMap((e) => (e.type === 'say' ? [e] : []));
      assert.ok(
        said.every((e) => e.language === 'fr-FR'),
        JSON.stringify(said),
      );
      assert.deepEqual(
        said.map((e) => e.text),
        [fr.menu, 'Votre crédit est de 12 euros et 50 centimes.', fr.menu, fr.enterDestination, fr.nothingDialed],
      );
      assert.ok(transcript.includes(`[callback] PLAY [recording]: ${PIN_RECORDING}`), transcript.join('\n'));
      assert.ok(transcript.includes(`[callback] SAY [fr-FR]: ${fr.menu}`), transcript.join('\n'));
      assert.ok(transcript.includes('[callback] ⌨  key "1" cuts the prompt short'), transcript.join('\n'));
    } finally {
      await background.stop();
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
      sim.standin.assertNoViolations();
      await sim.stop();
    }
  });
});
