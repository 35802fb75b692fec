import assert from 'node:assert/strict';
import fc from 'fast-check';
import { allocateCharge, bothLegsTimeLimit, CALLBACK_DIAL_OVERHEAD_SECONDS, callbackPlacementHold, callbackTopUp, type CallbackLegSoFar } from '../../src/billing/both-legs';
import { callCost, MAX_TALK_SECONDS, type Tariff } from '../../src/billing/rating';

/** Both legs' money on its own: no database, amounts in ten-thousandths, durations in seconds. */

const tariff = (perMinute: number, initialSeconds = 60, incrementSeconds = 60, connectFee = 0): Tariff => ({ perMinute, initialSeconds, incrementSeconds, connectFee });

/** 0.1000 a minute, 60/60. */
const DIAL = tariff(1_000);
/** 0.0500 a minute, 60/60; 45.2 s into the callback, its 120 s placement hold (0.1000) already held. */
const CALLBACK: CallbackLegSoFar = { rate: tariff(500), elapsed: 45.2, held: 1_000 };

describe('both legs: the dial time limit that leaves room for the callback leg (pure)', () => {
  it('when there is no callback leg to pay, then it is the dial alone: 0.5000 buys 300 s at 0.1000 a minute', () => {
    assert.deepEqual(bothLegsTimeLimit(5_000, DIAL, null), { seconds: 300, dialAmount: 5_000, callbackExtra: 0, callbackSeconds: 0 });
  });

  it('when the callback leg runs too, then 0.5000 buys 180 s: 0.3000 for the dial and 0.1500 more for the callback leg until the dial and what surrounds it end', () => {
    // Callback seconds: ceil(45.2) + 70 (prompts, the 30 s ring, the hang-up) + 180 = 296, billed as 5 minutes = 0.2500, of which 0.1000 is held.
    assert.equal(CALLBACK_DIAL_OVERHEAD_SECONDS, 70);
    assert.deepEqual(bothLegsTimeLimit(5_000, DIAL, CALLBACK), { seconds: 180, dialAmount: 3_000, callbackExtra: 1_500, callbackSeconds: 296 });
  });

  it('when the credit is exactly what 180 s of both legs cost, then 180 s; a ten-thousandth less, then one increment less', () => {
    assert.equal(bothLegsTimeLimit(4_500, DIAL, CALLBACK).seconds, 180);
    assert.deepEqual(bothLegsTimeLimit(4_499, DIAL, CALLBACK), { seconds: 120, dialAmount: 2_000, callbackExtra: 1_000, callbackSeconds: 236 });
  });

  it('when the credit is fractional, then it buys what its floor buys', () => {
    assert.deepEqual(bothLegsTimeLimit(4_499.99, DIAL, CALLBACK), bothLegsTimeLimit(4_499, DIAL, CALLBACK));
  });

  it('when not even one dial increment with its callback share fits, then 0 and nothing is held', () => {
    // 60 s: 0.1000 dial + (176 s -> 3 minutes = 0.1500, minus 0.1000 held) 0.0500 = 0.1500.
    assert.equal(bothLegsTimeLimit(1_500, DIAL, CALLBACK).seconds, 60);
    assert.deepEqual(bothLegsTimeLimit(1_499, DIAL, CALLBACK), { seconds: 0, dialAmount: 0, callbackExtra: 0, callbackSeconds: 0 });
  });

  it('when the callback leg already holds more than it will cost, then nothing extra is held and the dial gets the whole credit', () => {
    const r = bothLegsTimeLimit(5_000, DIAL, { ...CALLBACK, held: 100_000 });
    assert.deepEqual(r, { seconds: 300, dialAmount: 5_000, callbackExtra: 0, callbackSeconds: 416 });
  });

  it('when the credit is huge, then the limit is the 4 hour cap, and the callback holds cover the cap plus what surrounds the dial', () => {
    const r = bothLegsTimeLimit(1e9, DIAL, CALLBACK);
    assert.equal(r.seconds, MAX_TALK_SECONDS);
    assert.equal(r.dialAmount, 240_000);
    assert.equal(r.callbackSeconds, 46 + 70 + MAX_TALK_SECONDS);
    // 14516 s -> 242 minutes at 0.0500 = 12.1000, minus the 0.1000 held.
    assert.equal(r.callbackExtra, 120_000);
  });

  it("when the cap is shorter than the dial's first increment, then 0; a cap off the billing grid is the limit itself", () => {
    assert.equal(bothLegsTimeLimit(1e9, DIAL, CALLBACK, 30).seconds, 0);
    assert.equal(bothLegsTimeLimit(1e9, DIAL, CALLBACK, 610).seconds, 610);
  });

  it('when the dial bills 30/6 with a connect fee, then the limit lands on its 6 s grid', () => {
    const dial = tariff(1_200, 30, 6, 250);
    const r = bothLegsTimeLimit(5_000, dial, CALLBACK);
    assert.equal((r.seconds - 30) % 6, 0);
    assert.equal(r.dialAmount, callCost(r.seconds, dial));
    assert.ok(r.dialAmount + r.callbackExtra <= 5_000);
  });

  it('when any rates and credit, then the result is affordable, exact, and one more increment is not affordable (unless capped)', () => {
    const arbTariff = fc.record({
      perMinute: fc.integer({ min: 1, max: 50_000 }),
      initialSeconds: fc.integer({ min: 1, max: 120 }),
      incrementSeconds: fc.integer({ min: 1, max: 60 }),
      connectFee: fc.integer({ min: 0, max: 5_000 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000_000 }),
        arbTariff,
        arbTariff,
        fc.integer({ min: 0, max: 3_600 }),
        fc.integer({ min: 0, max: 200_000 }),
        (available, dial, cbRate, elapsed, held) => {
          const cb = { rate: cbRate, elapsed, held };
          const r = bothLegsTimeLimit(available, dial, cb);
          const cost = (t: number) => callCost(t, dial) + Math.max(0, callCost(elapsed + CALLBACK_DIAL_OVERHEAD_SECONDS + t, cbRate) - held);
          if (r.seconds === 0) {
            assert.equal(r.dialAmount + r.callbackExtra, 0);
            assert.ok(cost(dial.initialSeconds) > available, 'the first increment was affordable');
            return;
          }
          assert.equal(r.dialAmount, callCost(r.seconds, dial));
          assert.equal(r.dialAmount + r.callbackExtra, cost(r.seconds));
          assert.ok(r.dialAmount + r.callbackExtra <= available);
          const next = r.seconds + dial.incrementSeconds;
          if (r.seconds < MAX_TALK_SECONDS && next <= MAX_TALK_SECONDS) assert.ok(cost(next) > available, `${next} s was affordable too`);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('both legs: holding more for the callback leg as its conversation goes on (pure)', () => {
  const RATE = tariff(1_000); // 0.1000 a minute, 60/60

  it('when the holds reach past the next step, then nothing more is held', () => {
    assert.deepEqual(callbackTopUp(59.5, 120, 2_000, 0, RATE), { enough: true });
  });

  it('when the next step would run past the holds, then 120 s more from now are held, priced on what is held already', () => {
    // 70 s + a 60 s step > 120 s: hold up to 190 s (4 minutes = 0.4000), 0.2000 of it held already.
    assert.deepEqual(callbackTopUp(70, 120, 2_000, 10_000, RATE), { enough: false, seconds: 190, amount: 2_000 });
  });

  it('when the credit pays only part of the 120 s but the next step, then what it pays', () => {
    // 0.2000 held + 0.1000 left pay 180 s, past 70 + 60.
    assert.deepEqual(callbackTopUp(70, 120, 2_000, 1_000, RATE), { enough: false, seconds: 180, amount: 1_000 });
  });

  it('when the credit cannot pay even the next step, then nothing is held and the call must end', () => {
    assert.deepEqual(callbackTopUp(130, 180, 3_000, 0, RATE), { enough: false, seconds: 0, amount: 0 });
  });
});

describe('both legs: what the callback leg holds when placed (pure)', () => {
  const RATE = tariff(500);

  it('when the credit is ample, then 120 s of conversation at their exact cost (0.1000)', () => {
    assert.deepEqual(callbackPlacementHold(10_000, RATE), { seconds: 120, amount: 1_000 });
  });

  it('when the credit pays one increment but not two, then one increment', () => {
    assert.deepEqual(callbackPlacementHold(999, RATE), { seconds: 60, amount: 500 });
  });

  it('when not even the first increment is paid, then nothing (and so no callback)', () => {
    assert.deepEqual(callbackPlacementHold(499, RATE), { seconds: 0, amount: 0 });
  });

  it('when the first increment is longer than 120 s, then that whole increment is held', () => {
    assert.deepEqual(callbackPlacementHold(10_000, tariff(500, 180, 60)), { seconds: 180, amount: 1_500 });
  });

  it('when a connect fee and 30/6 billing, then 120 s cost the fee plus the seconds: 0.0150 + 0.1200', () => {
    assert.deepEqual(callbackPlacementHold(10_000, tariff(600, 30, 6, 150)), { seconds: 120, amount: 1_350 });
  });
});

describe('both legs: one charge split over its holds (pure)', () => {
  it('when the charge is more than the first hold, then the holds are taken in order, each at most what it holds', () => {
    assert.deepEqual(allocateCharge(2_500, [1_000, 1_000, Number.POSITIVE_INFINITY]), [1_000, 1_000, 500]);
  });

  it('when the charge is less than the first hold, then the later holds take nothing', () => {
    assert.deepEqual(allocateCharge(500, [1_000, 1_000]), [500, 0]);
  });

  it('when the charge is more than everything held, then no hold takes more than it holds (the rest is not charged)', () => {
    assert.deepEqual(allocateCharge(3_000, [1_000, 1_000]), [1_000, 1_000]);
  });

  it('when the charge is zero or negative, or there are no holds, then nothing is taken', () => {
    assert.deepEqual(allocateCharge(0, [1_000]), [0]);
    assert.deepEqual(allocateCharge(-5, [1_000, 2]), [0, 0]);
    assert.deepEqual(allocateCharge(1_000, []), []);
  });

  it('when any charge and holds, then the parts sum to min(charge, total held), and adding a hold at the end never changes the earlier parts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(fc.integer({ min: 0, max: 300_000 }), { maxLength: 6 }),
        fc.integer({ min: 0, max: 300_000 }),
        (cost, caps, extra) => {
          const parts = allocateCharge(cost, caps);
          const total = caps.reduce((a, b) => a + b, 0);
          assert.equal(
            parts.reduce((a, b) => a + b, 0),
            Math.min(cost, total),
          );
          parts.forEach((p, i) => {
            assert.ok(p >= 0 && p <= caps[i]!);
          });
          assert.deepEqual(allocateCharge(cost, [...caps, extra]).slice(0, caps.length), parts);
        },
      ),
      { numRuns: 300 },
    );
  });
});
