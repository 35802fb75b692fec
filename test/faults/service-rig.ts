import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type mongoose from 'mongoose';
import twilio from 'twilio';
import { authorizedCallerModel } from '../../models/authorized-caller';
import { callbackLockModel } from '../../models/callback-lock';
import { callSessionModel, type CallSessionDoc } from '../../models/call-session';
import { clientModel } from '../../models/client';
import { creditEntryModel } from '../../models/credit-entry';
import { inboundCallModel } from '../../models/inbound-call';
import { jobModel } from '../../models/job';
import { reservationModel } from '../../models/reservation';
import { connectDatabase } from '../../src/db/connect';
import { TwilioRestStandin, type RecordedRequest } from '../../src/twilio-sim/rest-standin';
import { findOne, parseTwiml, type TwimlNode } from '../../src/twilio-sim/twiml-parse';
import { assertValidTwiml } from '../../src/twilio-sim/twiml-validator';
import { startServiceProcess, waitUntilGone, type ServiceProcess } from '../support/service-process';

/**
 * The real service (`src/server.ts`) in a child process on the embedded database in its own DATA_DIR,
 * with the Twilio REST stand-in as Twilio, for faults that need a real process: SIGKILL and restarts on
 * the same files. The test plays Twilio's side of the webhooks (signed for PUBLIC_BASE_URL) and reads
 * the stored documents through its own connection to the service's database.
 */

export const SID = `AC${'fa'.repeat(16)}`;
export const TOKEN = 'fault-test-token-0123456789abcdef';
export const ADMIN = 'fault-test-admin-key-0123456789abcdef';
export const NUMBER = '+12025550100'; // the Twilio number that rings back
export const CALLER = '+12025550143'; // the authorized caller, called back
export const PIN = '4321';
export const DESTINATION_DIGITS = '2025550186#'; // a national number of the caller's country
export const DESTINATION = '+12025550186';

let sidSeq = 0;
export const callSid = () => `CA${(0xfa000000 + ++sidSeq).toString(16).padStart(32, '0')}`;

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function until<T>(what: string, check: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Answer {
  status: number;
  xml: string;
  tree: TwimlNode;
}

export interface Seeded {
  clientId: string;
  extensionId: string;
  callerId: string;
}

export class ServiceRig {
  readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-'));
  readonly standin = new TwilioRestStandin({ accountSid: SID, authToken: TOKEN });
  base = '';
  env: Record<string, string> = {};
  service: ServiceProcess | null = null;
  /** The test's own connection to the running service's database (null while it is down). */
  db: mongoose.Connection | null = null;
  /** The pid of the running service's embedded database. */
  dbPid = 0;
  private readonly all: ServiceProcess[] = [];

  async start(): Promise<void> {
    if (!this.base) {
      const apiBase = await this.standin.start();
      const port = await freePort();
      this.base = `http://127.0.0.1:${port}`;
      this.env = {
        PORT: String(port),
        PUBLIC_BASE_URL: this.base,
        DATA_DIR: this.dataDir,
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: TOKEN,
        TWILIO_API_BASE_URL: apiBase,
        ADMIN_API_KEY: ADMIN,
        LOG_LEVEL: 'info',
        SHUTDOWN_GRACE_MS: '1000',
      };
    }
    const service = startServiceProcess(this.env);
    this.all.push(service);
    this.service = service;
    const started = await service.waitFor(/^embedded database \(FerretDB\) started$/);
    this.dbPid = Number(started.pid);
    await service.waitFor(/^listening$/);
    this.db = await connectDatabase(String(started.uri));
  }

  /** SIGKILL: no shutdown code runs. Resolves once the service and its database are gone. */
  async kill(): Promise<void> {
    const service = this.service!;
    await this.db?.close(true).catch(() => {});
    this.db = null;
    service.child.kill('SIGKILL');
    await service.exited;
    assert.ok(await waitUntilGone(this.dbPid), 'the embedded database outlived its service');
    this.service = null;
  }

  async restart(): Promise<void> {
    if (this.service) await this.kill();
    await this.start();
  }

  async stop(): Promise<void> {
    await this.db?.close(true).catch(() => {});
    this.db = null;
    for (const s of this.all) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await Promise.all(this.all.map((s) => s.exited));
    if (this.dbPid) await waitUntilGone(this.dbPid);
    await this.standin.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  async api(method: string, p: string, body: unknown): Promise<{ id: string }> {
    const res = await fetch(`${this.base}/api${p}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.status === 200 || res.status === 201, `${method} ${p}: ${res.status} ${text}`);
    return JSON.parse(text) as { id: string };
  }

  /** Client with 5.00 at 0.0100/min (30 s, then 6 s blocks), a number ringing back to an extension, a PIN-protected caller with 2.00 of its own. */
  async seed(opts: { triggerAfterSeconds?: number } = {}): Promise<Seeded> {
    const rt = await this.api('POST', '/rate-tables', {
      name: 'r',
      currency: 'USD',
      rates: [{ prefix: '+1', perMinute: '0.0100', initialSeconds: 30, incrementSeconds: 6 }],
    });
    const client = await this.api('POST', '/clients', { name: 'c', credit: '5.00', rateTableId: rt.id });
    const channel = await this.api('POST', '/channels', { name: 'PSTN', type: 'twilio', prefixes: [] });
    const ext = await this.api('POST', '/extensions', {
      clientId: client.id,
      extensionNumber: '100',
      name: 'Desk',
      // These tests prove the dial's charge survives crashes; the callback leg's money has its own tests.
      callback: { returnCalls: 'authorized', requireCallerPassword: true, triggerAfterSeconds: opts.triggerAfterSeconds ?? 1, chargeCallbackLeg: false },
    });
    await this.api('POST', `/channels/${channel.id}/numbers`, { number: NUMBER, clientId: client.id, extensionId: ext.id });
    const caller = await this.api('POST', `/extensions/${ext.id}/authorized-callers`, { number: CALLER, password: PIN, credit: '2.00' });
    return { clientId: client.id, extensionId: ext.id, callerId: caller.id };
  }

  /** A signed webhook POST as Twilio sends it; `url` is absolute (from TwiML or a REST request) or a path. */
  async post(url: string, params: Record<string, string>): Promise<Answer> {
    const full = url.startsWith('http') ? url : `${this.base}${url}`;
    assert.ok(full.startsWith(this.base), `${full} is not under PUBLIC_BASE_URL`);
    const res = await fetch(full, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN, full, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    const xml = await res.text();
    assert.match(String(res.headers.get('content-type')), /text\/xml/, `${url} answered ${res.status} ${xml}`);
    await assertValidTwiml(xml);
    return { status: res.status, xml, tree: parseTwiml(xml) };
  }

  incomingParams(inbound: string): Record<string, string> {
    return { CallSid: inbound, AccountSid: SID, From: CALLER, To: NUMBER, CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' };
  }

  /** The successful CallCreate requests to the caller. */
  callbacksCreated(): RecordedRequest[] {
    return this.standin.callsCreated().filter((r) => r.response?.status === 201 && r.params.To === CALLER);
  }

  // ---------------------------------------------------------------- stored documents

  private conn(): mongoose.Connection {
    assert.ok(this.db, 'the service is not running');
    return this.db;
  }

  session(inbound: string): Promise<CallSessionDoc | null> {
    return callSessionModel(this.conn()).findOne({ inboundCallSid: inbound }).lean();
  }

  /**
   * Everything the issue asks after a crash: one session, one callback placed, one charge with the exact
   * amount on the client and on the caller's allowance, the reservation settled, no lock, no job left.
   */
  async assertExactlyOnce(seeded: Seeded, inbound: string, expect: { charge: number; duration: number }): Promise<void> {
    const db = this.conn();
    const creates = this.standin.callsCreated();
    assert.equal(creates.length, 1, `CreateCall requests: ${creates.length}`);
    assert.equal(this.callbacksCreated().length, 1);
    const callbackSid = (creates[0]!.response!.body as { sid: string }).sid;

    assert.equal(await callSessionModel(db).countDocuments({}), 1, 'sessions');
    assert.equal(await inboundCallModel(db).countDocuments({}), 1, 'inbound call keys');
    const s = await this.session(inbound);
    assert.ok(s);
    assert.equal(s.status, 'completed', `session ${s.status} (${s.reason})`);
    assert.equal(s.reason, 'dial-completed');
    assert.equal(s.callback.callSid, callbackSid);
    assert.equal(s.callback.attempts, 1);
    const timeline = s.timeline.map((e) => e.event);
    assert.equal(timeline.filter((e) => e === 'callback-answered').length, 1, timeline.join(','));
    assert.equal(timeline.filter((e) => e === 'password-accepted').length, 1, timeline.join(','));
    assert.equal(timeline.filter((e) => e === 'dial').length, 1, timeline.join(','));
    assert.equal(timeline.filter((e) => e === 'dial-ended').length, 1, timeline.join(','));

    const reservations = await reservationModel(db).find({}).lean();
    assert.equal(reservations.length, 1, 'reservations');
    const r = reservations[0]!;
    assert.equal(r.state, 'settled');
    assert.equal(r.duration, expect.duration);
    assert.equal(r.charge, expect.charge);
    assert.equal(r.destination, DESTINATION);

    const charges = await creditEntryModel(db).find({ kind: 'call-charge' }).lean();
    assert.equal(charges.length, 2, `call-charge entries: ${JSON.stringify(charges)}`);
    const clientCharge = charges.find((c) => c.authorizedCallerId === null);
    const callerCharge = charges.find((c) => String(c.authorizedCallerId) === seeded.callerId);
    assert.equal(clientCharge?.amount, -expect.charge);
    assert.equal(callerCharge?.amount, -expect.charge);
    assert.ok(charges.every((c) => c.state === 'applied'));

    const client = await clientModel(db).findById(seeded.clientId).lean();
    assert.equal(client!.balance, 50_000 - expect.charge, 'client balance (ten-thousandths)');
    assert.deepEqual(client!.pendingEntryIds, []);
    const caller = await authorizedCallerModel(db).findById(seeded.callerId).lean();
    assert.equal(caller!.available, 20_000 - expect.charge, "caller's allowance (ten-thousandths)");
    assert.deepEqual(caller!.pendingEntryIds, []);

    assert.equal(await callbackLockModel(db).countDocuments({}), 0, 'callback lock left');
    assert.deepEqual(await jobModel(db).find({}).lean(), [], 'jobs left');
    this.standin.assertNoViolations();
  }
}

/** The one <Gather> of a TwiML answer, with the webhook its action posts to. */
export function gatherAction(a: Answer, kind: 'pin' | 'menu' | 'destination'): string {
  const action = findOne(a.tree, 'Gather').attrs.action!;
  assert.ok(action.includes(`/voice/callback/${kind}?`), `expected the ${kind} prompt, got ${a.xml}`);
  return action;
}
