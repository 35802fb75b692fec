import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RateDoc } from '../../models/rate-table';
import { billableSeconds, callCost, cheapestIncrementCost, findRate, MAX_TALK_SECONDS, maxTalkSeconds, reservationFor } from '../../src/billing/rating';

function rate(overrides: Partial<RateDoc> = {}): RateDoc {
  return { prefix: '+44', perMinute: 200, initialSeconds: 60, incrementSeconds: 60, connectFee: 0, ...overrides };
}

/** 0.0200 per minute, billed 60/60. */
const PER_MINUTE_60_60 = rate();
/** 0.0125 per minute, billed 30/6, connect fee 0.0100. */
const THIRTY_SIX = rate({ perMinute: 125, initialSeconds: 30, incrementSeconds: 6, connectFee: 100 });

describe('rate lookup', () => {
  const rates = [rate({ prefix: '+44' }), rate({ prefix: '+447' }), rate({ prefix: '+1' }), rate({ prefix: '+4479' })];

  it('when several prefixes match, then the longest wins', () => {
    assert.equal(findRate(rates, '+447911123456')?.prefix, '+4479');
    assert.equal(findRate(rates, '+447700900123')?.prefix, '+447');
    assert.equal(findRate(rates, '+442079460000')?.prefix, '+44');
  });

  it('when the order of the table changes, then the same rate wins', () => {
    assert.equal(findRate([...rates].reverse(), '+447911123456')?.prefix, '+4479');
  });

  it('when no prefix matches, then undefined', () => {
    assert.equal(findRate(rates, '+33612345678'), undefined);
    assert.equal(findRate([], '+442079460000'), undefined);
  });
});

describe('billable seconds', () => {
  const cases: { name: string; duration: number; tariff: RateDoc; expect: number }[] = [
    { name: 'when the call never connected, then 0', duration: 0, tariff: PER_MINUTE_60_60, expect: 0 },
    { name: 'when the duration is negative, then 0', duration: -5, tariff: PER_MINUTE_60_60, expect: 0 },
    { name: 'when 1 second on 60/60, then the initial minute', duration: 1, tariff: PER_MINUTE_60_60, expect: 60 },
    { name: 'when exactly 60 seconds on 60/60, then 60', duration: 60, tariff: PER_MINUTE_60_60, expect: 60 },
    { name: 'when 61 seconds on 60/60, then 120', duration: 61, tariff: PER_MINUTE_60_60, expect: 120 },
    { name: 'when 10 seconds on 30/6, then the initial 30', duration: 10, tariff: THIRTY_SIX, expect: 30 },
    { name: 'when 31 seconds on 30/6, then 36', duration: 31, tariff: THIRTY_SIX, expect: 36 },
    { name: 'when 36 seconds on 30/6, then 36', duration: 36, tariff: THIRTY_SIX, expect: 36 },
    { name: 'when 37 seconds on 30/6, then 42', duration: 37, tariff: THIRTY_SIX, expect: 42 },
    { name: 'when 1 second on 1/1, then 1', duration: 1, tariff: rate({ initialSeconds: 1, incrementSeconds: 1 }), expect: 1 },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(billableSeconds(c.duration, c.tariff), c.expect));
  }

  it('when the duration is NaN (a parse gone wrong), then it is refused loudly', () => {
    assert.throws(() => billableSeconds(Number.NaN, PER_MINUTE_60_60), RangeError);
    assert.throws(() => callCost(Number.NaN, PER_MINUTE_60_60), RangeError);
  });
});

describe('call cost', () => {
  const cases: { name: string; duration: number; tariff: RateDoc; expect: number }[] = [
    { name: 'when unanswered, then free even with a connect fee', duration: 0, tariff: THIRTY_SIX, expect: 0 },
    { name: 'when 1 second at 0.0200/min on 60/60, then 0.0200', duration: 1, tariff: PER_MINUTE_60_60, expect: 200 },
    { name: 'when 61 seconds at 0.0200/min on 60/60, then 0.0400', duration: 61, tariff: PER_MINUTE_60_60, expect: 400 },
    // 30 s at 0.0125/min = 0.00625 -> 0.0063 (rounded up), plus the 0.0100 connect fee.
    { name: 'when 10 seconds on 30/6 at 0.0125/min, then the fraction rounds up plus the connect fee', duration: 10, tariff: THIRTY_SIX, expect: 163 },
    // 36 s at 0.0125/min = 0.0075 exactly.
    { name: 'when 31 seconds on 30/6 at 0.0125/min, then 36 seconds are charged', duration: 31, tariff: THIRTY_SIX, expect: 175 },
    { name: 'when the minute is free, then only the connect fee', duration: 600, tariff: rate({ perMinute: 0, connectFee: 500 }), expect: 500 },
    // 7 s at 0.0001/min = 0.0000116... -> 0.0001: the operator never undercharges a fraction.
    { name: 'when the price is a tiny fraction, then at least one ten-thousandth', duration: 7, tariff: rate({ perMinute: 1, initialSeconds: 1, incrementSeconds: 1 }), expect: 1 },
    { name: 'when an hour at 1.0000/min, then 60.0000', duration: 3600, tariff: rate({ perMinute: 10_000 }), expect: 600_000 },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(callCost(c.duration, c.tariff), c.expect));
  }

  it('when the rate is absurdly large, then an error instead of an inexact charge', () => {
    assert.throws(() => callCost(3600, rate({ perMinute: Number.MAX_SAFE_INTEGER })), RangeError);
  });
});

describe('maximum talk time', () => {
  it('when the credit covers exactly two minutes on 60/60, then 120 seconds', () => {
    assert.equal(maxTalkSeconds(400, PER_MINUTE_60_60), 120);
    assert.equal(maxTalkSeconds(599, PER_MINUTE_60_60), 120);
    assert.equal(maxTalkSeconds(600, PER_MINUTE_60_60), 180);
  });

  it('when the credit does not cover the initial increment, then 0', () => {
    assert.equal(maxTalkSeconds(199, PER_MINUTE_60_60), 0);
    assert.equal(maxTalkSeconds(0, PER_MINUTE_60_60), 0);
    assert.equal(maxTalkSeconds(-1_000, PER_MINUTE_60_60), 0);
    // Connect fee 0.0100 + 30 s (0.0063) = 0.0163.
    assert.equal(maxTalkSeconds(162, THIRTY_SIX), 0);
    assert.equal(maxTalkSeconds(163, THIRTY_SIX), 30);
  });

  it('when billing is 30/6, then the limit lands on the 6 second grid', () => {
    // 0.0100 + 0.0125/min * 42 s = 0.0100 + 0.00875 -> 0.0188; 48 s would be 0.0200.
    assert.equal(maxTalkSeconds(188, THIRTY_SIX), 42);
    assert.equal(maxTalkSeconds(199, THIRTY_SIX), 42);
    assert.equal(maxTalkSeconds(200, THIRTY_SIX), 48);
  });

  it('when the credit is large, then the limit is capped at 4 hours', () => {
    assert.equal(MAX_TALK_SECONDS, 14_400);
    assert.equal(maxTalkSeconds(100_000_000, PER_MINUTE_60_60), 14_400);
    assert.equal(maxTalkSeconds(Number.MAX_SAFE_INTEGER, PER_MINUTE_60_60), 14_400);
    assert.equal(maxTalkSeconds(Number.POSITIVE_INFINITY, PER_MINUTE_60_60), 14_400);
    assert.equal(maxTalkSeconds(100_000_000, PER_MINUTE_60_60, 600), 600);
  });

  it('when the minute is free, then the cap if the connect fee is affordable, else 0', () => {
    assert.equal(maxTalkSeconds(0, rate({ perMinute: 0 })), 14_400);
    assert.equal(maxTalkSeconds(500, rate({ perMinute: 0, connectFee: 500 })), 14_400);
    assert.equal(maxTalkSeconds(499, rate({ perMinute: 0, connectFee: 500 })), 0);
  });

  it('when the cap is zero or negative, then 0', () => {
    assert.equal(maxTalkSeconds(1_000_000, PER_MINUTE_60_60, 0), 0);
    assert.equal(maxTalkSeconds(1_000_000, PER_MINUTE_60_60, -60), 0);
  });

  it('when the cap is shorter than the initial increment, then the cap (the initial increment is what is paid for)', () => {
    assert.equal(maxTalkSeconds(200, PER_MINUTE_60_60, 45), 45);
  });

  it('when the credit is fractional, then it buys what its floor buys', () => {
    assert.equal(maxTalkSeconds(400.9, PER_MINUTE_60_60), 120);
  });

  const tariffs = fc.record({
    prefix: fc.constant('+1'),
    perMinute: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 200_000 })),
    initialSeconds: fc.integer({ min: 1, max: 3600 }),
    incrementSeconds: fc.integer({ min: 1, max: 3600 }),
    connectFee: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100_000 })),
  });
  const credits = fc.oneof(fc.integer({ min: -1_000, max: 10_000 }), fc.integer({ min: 0, max: 100_000_000 }));
  const caps = fc.oneof(fc.constant(MAX_TALK_SECONDS), fc.integer({ min: 1, max: 20_000 }));

  it('when any rate and credit, then the limit is affordable and one more increment is not (unless capped)', () => {
    fc.assert(
      fc.property(tariffs, credits, caps, (t, available, cap) => {
        const seconds = maxTalkSeconds(available, t, cap);
        assert.ok(seconds >= 0 && seconds <= cap && Number.isInteger(seconds));
        if (seconds === 0) {
          assert.ok(callCost(t.initialSeconds, t) > available, 'the initial increment was affordable');
          return;
        }
        assert.ok(callCost(seconds, t) <= available, `cost(${seconds}) = ${callCost(seconds, t)} > ${available}`);
        if (seconds === cap) return;
        const onGrid = (seconds - t.initialSeconds) % t.incrementSeconds === 0;
        assert.ok(onGrid, `${seconds} is not initial + k * increment`);
        assert.ok(callCost(seconds + t.incrementSeconds, t) > available, `one more increment (${seconds + t.incrementSeconds} s) fits`);
      }),
      { numRuns: 3_000 },
    );
  });

  it('when compared with a brute-force search over the grid, then the same answer', () => {
    fc.assert(
      fc.property(tariffs, fc.integer({ min: 0, max: 200_000 }), (t, available) => {
        let best = 0;
        for (let s = t.initialSeconds; s <= MAX_TALK_SECONDS + t.incrementSeconds; s += t.incrementSeconds) {
          if (callCost(s, t) <= available) best = s;
          else if (t.perMinute > 0) break;
        }
        assert.equal(maxTalkSeconds(available, t), Math.min(best, MAX_TALK_SECONDS));
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('reservation', () => {
  it('when credit covers 2 minutes, then 120 seconds are reserved at their exact cost', () => {
    assert.deepEqual(reservationFor(599, PER_MINUTE_60_60, MAX_TALK_SECONDS), { seconds: 120, amount: 400 });
  });

  it('when nothing is affordable, then nothing is reserved', () => {
    assert.deepEqual(reservationFor(100, PER_MINUTE_60_60, MAX_TALK_SECONDS), { seconds: 0, amount: 0 });
  });

  it('when capped, then the amount is the cost of the capped time', () => {
    assert.deepEqual(reservationFor(1_000_000, PER_MINUTE_60_60), { seconds: 14_400, amount: 48_000 });
  });

  it('when any rate and credit, then the amount never exceeds the credit and equals the cost of the seconds', () => {
    fc.assert(
      fc.property(
        fc.record({
          prefix: fc.constant('+1'),
          perMinute: fc.integer({ min: 0, max: 200_000 }),
          initialSeconds: fc.integer({ min: 1, max: 3600 }),
          incrementSeconds: fc.integer({ min: 1, max: 3600 }),
          connectFee: fc.integer({ min: 0, max: 10_000 }),
        }),
        fc.integer({ min: 0, max: 100_000_000 }),
        (t, available) => {
          const r = reservationFor(available, t);
          assert.equal(r.amount, callCost(r.seconds, t));
          assert.ok(r.amount <= available);
          // Whatever the call's real duration within the limit, its charge fits the reservation.
          assert.ok(callCost(Math.max(1, r.seconds - 1), t) <= r.amount || r.seconds === 0);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('cheapest increment', () => {
  it('when the table is empty, then null', () => {
    assert.equal(cheapestIncrementCost([]), null);
  });

  it('when several rates, then the cheapest connect fee plus initial block', () => {
    const rates = [
      PER_MINUTE_60_60, // 0.0200
      THIRTY_SIX, // 0.0100 + 0.0063 = 0.0163
      rate({ prefix: '+1', perMinute: 100, initialSeconds: 60, incrementSeconds: 1, connectFee: 100 }), // 0.0200
    ];
    assert.equal(cheapestIncrementCost(rates), 163);
  });

  it('when a rate is free, then 0', () => {
    assert.equal(cheapestIncrementCost([PER_MINUTE_60_60, rate({ perMinute: 0 })]), 0);
  });

  it('when the cheapest increment is affordable, then some call under that rate gets time', () => {
    const rates = [PER_MINUTE_60_60, THIRTY_SIX];
    const cheapest = cheapestIncrementCost(rates)!;
    assert.ok(rates.some((r) => maxTalkSeconds(cheapest, r) > 0));
    assert.ok(rates.every((r) => maxTalkSeconds(cheapest - 1, r) === 0));
  });
});
