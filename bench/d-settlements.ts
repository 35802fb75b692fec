import { Types } from 'mongoose';
import { clientModel } from '../models/client';
import { creditEntryModel } from '../models/credit-entry';
import { reservationModel } from '../models/reservation';
import { callCost, type Rate } from '../src/billing/rating';
import { reserveCredit, settleReservation } from '../src/domain/reservations/reservations';
import { connectDatabase } from '../src/db/connect';
import { ms, summarize, type RunOptions, type ScenarioResult } from './lib';

/**
 * D. Concurrent settlements on one client: `n` dials of one client reserve credit and settle at once
 * (reserveCredit + settleReservation, as the dial and dial-result steps do), each with its own talk time.
 * The client's credit covers only part of the reservations, so some are refused. The final balance must
 * equal the opening balance minus the sum of the charges computed independently (callCost), to the
 * ten-thousandth (balances are integer ten-thousandths), with nothing left pending. The baseline is the
 * same work done one settlement at a time. Runs in this process on its own connection (pool of 100).
 */
const RATE: Rate = { prefix: '+1', perMinute: 100, initialSeconds: 30, incrementSeconds: 6, connectFee: 0 };

export async function scenarioD(opts: RunOptions): Promise<ScenarioResult> {
  const n = opts.short ? 50 : 1_000;
  opts.log(`D: ${n} concurrent settlements`);
  const conc = await round(opts, n, true, 'd');
  // The baseline does a fifth of the work one at a time (all of it would double the run's length).
  const seqN = Math.max(20, Math.round(n / 5));
  opts.log(`D: baseline, ${seqN} one at a time`);
  const seq = await round(opts, seqN, false, 'd-seq');
  const rate = (r: { elapsedMs: number }, k: number) => (k / r.elapsedMs) * 1000;
  const exact = conc.balance === conc.expected && conc.pending === 0 && conc.entries === conc.reserved;
  return {
    id: 'D',
    title: `${n} concurrent reserve + settle on one client vs the same one at a time`,
    checks: [
      {
        name: 'D final balance exact (ten-thousandths)',
        target: 'balance = opening − Σ charges, nothing pending',
        measured: `${conc.balance} vs expected ${conc.expected} (${conc.reserved} reserved, ${n - conc.reserved} refused, ${conc.pending} pending, ${conc.entries} charge entries)`,
        pass: exact,
      },
      { name: 'D never below zero', target: 'min balance ≥ 0', measured: String(conc.minSeen), pass: conc.minSeen >= 0 },
    ],
    figures: { n, concurrent: conc, sequential: { ...seq, n: seqN }, settlementsPerSecond: { concurrent: rate(conc, n), sequential: rate(seq, seqN) } },
    notes: [
      `concurrent: ${n} in ${(conc.elapsedMs / 1000).toFixed(1)} s (${rate(conc, n).toFixed(1)}/s), per settlement p50 ${ms(conc.lat.p50)} p99 ${ms(conc.lat.p99)}; baseline one at a time: ${seqN} in ${(seq.elapsedMs / 1000).toFixed(1)} s (${rate(seq, seqN).toFixed(1)}/s, ${seq.balance === seq.expected ? 'exact' : 'NOT exact'})`,
    ],
  };
}

async function round(opts: RunOptions, n: number, concurrent: boolean, name: string) {
  const db = await connectDatabase(opts.dbUri, opts.dbName(name));
  try {
    // 4 h at 0.01/min is 2.40 = 24,000 per reservation: the opening credit covers about 70 % of them.
    const opening = Math.floor(n * 0.7) * 24_000 + 12_345;
    const client = await clientModel(db).create({ name: `bench-${name}`, currency: 'USD', balance: opening, rateTableId: new Types.ObjectId() });
    const durations = Array.from({ length: n }, (_, i) => (i * 37) % 3_600);
    let minSeen = opening;
    const watch = setInterval(() => {
      void clientModel(db)
        .findById(client._id, { balance: 1 })
        .lean()
        .then((c) => {
          if (c) minSeen = Math.min(minSeen, c.balance);
        });
    }, 50);
    const one = async (i: number): Promise<{ charge: number | null; ms: number; seconds?: number; held?: number }> => {
      const t = performance.now();
      const now = new Date();
      const fresh = await clientModel(db).findById(client._id, { balance: 1 }).lean();
      const r = await reserveCredit(db, {
        sessionId: new Types.ObjectId(),
        clientId: client._id,
        clientUnlimited: false,
        clientBalance: fresh!.balance,
        caller: null,
        rate: RATE,
        destination: '+12025550186',
        now,
      });
      if (!r.ok) return { charge: null, ms: performance.now() - t };
      const s = await settleReservation(db, r.reservation._id, { duration: durations[i]!, dialCallSid: null }, now);
      return { charge: s.charge, ms: performance.now() - t, seconds: r.reservation.seconds, held: r.reservation.clientAmount };
    };
    const started = performance.now();
    const outcomes: { charge: number | null; ms: number; seconds?: number; held?: number }[] = [];
    if (concurrent) outcomes.push(...(await Promise.all(durations.map((_, i) => one(i)))));
    else for (let i = 0; i < n; i++) outcomes.push(await one(i));
    const elapsedMs = performance.now() - started;
    clearInterval(watch);

    const settled = outcomes.map((o, i) => ({ ...o, i })).filter((o) => o.charge !== null);
    // The expected charge is computed here from the rate (talk time capped at what was reserved, charge
    // capped at what was held), not taken from what settle returned.
    const expected = opening - settled.reduce((sum, o) => sum + Math.min(callCost(Math.min(durations[o.i]!, o.seconds!), RATE), o.held!), 0);
    const final = (await clientModel(db).findById(client._id).lean())!;
    const entries = await creditEntryModel(db).countDocuments({ clientId: client._id, kind: 'call-charge' });
    const open = await reservationModel(db).countDocuments({ clientId: client._id, state: { $nin: ['settled', 'void'] } });
    return {
      opening,
      expected,
      balance: final.balance,
      pending: final.pendingEntryIds.length + open,
      reserved: settled.length,
      entries,
      minSeen: Math.min(minSeen, final.balance),
      elapsedMs,
      lat: summarize(outcomes.map((o) => o.ms)),
    };
  } finally {
    await db.close();
  }
}
