import assert from 'node:assert/strict';
import { decideCallback, type CallbackFacts, type RefusalReason } from '../../src/callflow/decide-callback';

/** The callback decision on its own: facts in, decision out, no database. Money in ten-thousandths. */

const CALLER = '+14155550123';
const FIXED = '+442079460000';

/** An authorized caller with a client that can pay: the decision is "callback" unless a test says otherwise. */
function facts(over: Partial<CallbackFacts> = {}): CallbackFacts {
  return {
    returnCalls: 'authorized',
    fixedNumber: null,
    callerE164: CALLER,
    callerHidden: false,
    authorizedCaller: { id: 'ac1', enabled: true, unlimited: false, available: 100_000 },
    client: { unlimitedCredit: false, balance: 100_000, activeCalls: 0, maxConcurrentCalls: null },
    cheapestIncrement: 1_200,
    targetLockedOut: () => false,
    targetAllowed: () => true,
    chargeCallbackLeg: true,
    callbackIncrement: () => 800,
    callbacksToTargetLastHour: 0,
    maxCallbacksPerTargetPerHour: 5,
    ...over,
  };
}

function refused(f: CallbackFacts, reason: RefusalReason, target: string | null): void {
  assert.deepEqual(decideCallback(f), { callback: false, target, reason });
}

describe('callback decision (pure)', () => {
  describe('whom to call back', () => {
    it('when the caller is authorized, then the callback goes to the caller', () => {
      assert.deepEqual(decideCallback(facts()), { callback: true, target: CALLER, reason: 'callback' });
    });

    it('when return calls are "authorized" and the caller is not on the list, hidden or not a number, then caller-not-authorized without a target', () => {
      refused(facts({ authorizedCaller: null }), 'caller-not-authorized', null);
      refused(facts({ callerHidden: true }), 'caller-not-authorized', null);
      refused(facts({ callerE164: null }), 'caller-not-authorized', null);
    });

    it('when return calls are "caller", then any visible caller is called back, a hidden one refused as caller-hidden', () => {
      assert.deepEqual(decideCallback(facts({ returnCalls: 'caller', authorizedCaller: null })), { callback: true, target: CALLER, reason: 'callback' });
      refused(facts({ returnCalls: 'caller', callerHidden: true }), 'caller-hidden', null);
      refused(facts({ returnCalls: 'caller', callerE164: null }), 'caller-hidden', null);
    });

    it('when return calls are "fixed", then the fixed number is called even for a hidden caller, and without one it is refused', () => {
      const fixed = facts({ returnCalls: 'fixed', fixedNumber: FIXED, callerHidden: true, callerE164: null, authorizedCaller: null });
      assert.deepEqual(decideCallback(fixed), { callback: true, target: FIXED, reason: 'callback' });
      refused(facts({ returnCalls: 'fixed', fixedNumber: null }), 'caller-not-authorized', null);
    });

    it("when the fixed number is not the caller, then the caller ID's own settings (disabled, no allowance) do not matter", () => {
      const ac = { id: 'ac1', enabled: false, unlimited: false, available: 0 };
      assert.deepEqual(decideCallback(facts({ returnCalls: 'fixed', fixedNumber: FIXED, authorizedCaller: ac })), { callback: true, target: FIXED, reason: 'callback' });
    });

    it("when the fixed number is the caller, then the caller ID's settings apply", () => {
      const ac = { id: 'ac1', enabled: false, unlimited: false, available: 100_000 };
      refused(facts({ returnCalls: 'fixed', fixedNumber: CALLER, authorizedCaller: ac }), 'authorized-caller-disabled', CALLER);
    });
  });

  describe('what stops a callback to a known target', () => {
    it('when the caller ID is disabled, then authorized-caller-disabled', () => {
      refused(facts({ authorizedCaller: { id: 'ac1', enabled: false, unlimited: true, available: 0 } }), 'authorized-caller-disabled', CALLER);
    });

    it('when the target is denied by the prefix lists, then callback-target-denied, and the check saw the target', () => {
      const seen: string[] = [];
      refused(
        facts({
          targetAllowed: (t) => {
            seen.push(t);
            return false;
          },
        }),
        'callback-target-denied',
        CALLER,
      );
      assert.deepEqual(seen, [CALLER]);
    });

    it('when the rate table has no rate at all, then no-rate', () => {
      refused(facts({ cheapestIncrement: null }), 'no-rate', CALLER);
    });

    it('when no rate covers the callback leg and it is charged, then no-rate-for-callback; when it is free, then no rate is needed for it', () => {
      refused(facts({ callbackIncrement: () => null }), 'no-rate-for-callback', CALLER);
      assert.equal(decideCallback(facts({ chargeCallbackLeg: false, callbackIncrement: () => null })).reason, 'callback');
    });

    it('when the target is locked out after wrong PINs, then target-locked-out', () => {
      refused(facts({ targetLockedOut: (t) => t === CALLER }), 'target-locked-out', CALLER);
    });

    it('when the callbacks to the target this hour reach the cap, then callback-rate-limited; one below it passes', () => {
      refused(facts({ callbacksToTargetLastHour: 5 }), 'callback-rate-limited', CALLER);
      assert.equal(decideCallback(facts({ callbacksToTargetLastHour: 4 })).reason, 'callback');
    });

    it('when the client has as many active calls as its limit, then concurrent-limit; no limit means none', () => {
      refused(facts({ client: { unlimitedCredit: false, balance: 100_000, activeCalls: 2, maxConcurrentCalls: 2 } }), 'concurrent-limit', CALLER);
      assert.equal(decideCallback(facts({ client: { unlimitedCredit: false, balance: 100_000, activeCalls: 99, maxConcurrentCalls: null } })).reason, 'callback');
    });
  });

  describe("credit: the callback leg's first increment plus the cheapest dial's must be paid", () => {
    // 0.0800 for the callback leg + 0.1200 for the cheapest dial = 0.2000 needed.
    const NEEDED = 2_000;

    it('when the client balance is exactly what both first increments cost, then callback; a ten-thousandth less, then client-no-credit', () => {
      assert.equal(decideCallback(facts({ client: { unlimitedCredit: false, balance: NEEDED, activeCalls: 0, maxConcurrentCalls: null } })).reason, 'callback');
      refused(facts({ client: { unlimitedCredit: false, balance: NEEDED - 1, activeCalls: 0, maxConcurrentCalls: null } }), 'client-no-credit', CALLER);
    });

    it('when the caller ID allowance is exactly enough, then callback; a ten-thousandth less, then authorized-caller-no-credit', () => {
      assert.equal(decideCallback(facts({ authorizedCaller: { id: 'ac1', enabled: true, unlimited: false, available: NEEDED } })).reason, 'callback');
      refused(facts({ authorizedCaller: { id: 'ac1', enabled: true, unlimited: false, available: NEEDED - 1 } }), 'authorized-caller-no-credit', CALLER);
    });

    it('when the callback leg is free, then only the cheapest dial increment is needed', () => {
      const free = { chargeCallbackLeg: false, callbackIncrement: () => 800 };
      const client = { unlimitedCredit: false, balance: 1_200, activeCalls: 0, maxConcurrentCalls: null };
      assert.equal(decideCallback(facts({ ...free, client })).reason, 'callback');
      refused(facts({ ...free, client: { ...client, balance: 1_199 } }), 'client-no-credit', CALLER);
    });

    it('when every rate is free, then at least one ten-thousandth is still needed (a zero balance gets no callback)', () => {
      const free = { cheapestIncrement: 0, callbackIncrement: () => 0 };
      refused(facts({ ...free, client: { unlimitedCredit: false, balance: 0, activeCalls: 0, maxConcurrentCalls: null } }), 'client-no-credit', CALLER);
      assert.equal(decideCallback(facts({ ...free, client: { unlimitedCredit: false, balance: 1, activeCalls: 0, maxConcurrentCalls: null } })).reason, 'callback');
    });

    it('when the client has unlimited credit and the caller ID is unlimited, then a zero balance and allowance pass', () => {
      const f = facts({
        authorizedCaller: { id: 'ac1', enabled: true, unlimited: true, available: 0 },
        client: { unlimitedCredit: true, balance: 0, activeCalls: 0, maxConcurrentCalls: null },
      });
      assert.equal(decideCallback(f).reason, 'callback');
    });

    it('when the client balance is negative, then client-no-credit', () => {
      refused(facts({ client: { unlimitedCredit: false, balance: -1, activeCalls: 0, maxConcurrentCalls: null } }), 'client-no-credit', CALLER);
    });
  });

  describe('which reason wins when several apply (the stored reason code is stable)', () => {
    const everythingWrong = (): Partial<CallbackFacts> => ({
      authorizedCaller: { id: 'ac1', enabled: false, unlimited: false, available: 0 },
      targetAllowed: () => false,
      cheapestIncrement: null,
      callbackIncrement: () => null,
      client: { unlimitedCredit: false, balance: 0, activeCalls: 3, maxConcurrentCalls: 1 },
      targetLockedOut: () => true,
      callbacksToTargetLastHour: 9,
    });
    const order: Array<[RefusalReason, Partial<CallbackFacts>]> = [
      ['authorized-caller-disabled', { authorizedCaller: { id: 'ac1', enabled: true, unlimited: false, available: 0 } }],
      ['callback-target-denied', { targetAllowed: () => true }],
      ['no-rate', { cheapestIncrement: 1_200 }],
      ['no-rate-for-callback', { callbackIncrement: () => 800 }],
      ['authorized-caller-no-credit', { authorizedCaller: { id: 'ac1', enabled: true, unlimited: true, available: 0 } }],
      ['client-no-credit', { client: { unlimitedCredit: true, balance: 0, activeCalls: 3, maxConcurrentCalls: 1 } }],
      ['target-locked-out', { targetLockedOut: () => false }],
      ['callback-rate-limited', { callbacksToTargetLastHour: 0 }],
      ['concurrent-limit', { client: { unlimitedCredit: true, balance: 0, activeCalls: 0, maxConcurrentCalls: 1 } }],
    ];

    it('when the problems are fixed one by one, then the reasons come in the documented order, ending with callback', () => {
      let f = facts(everythingWrong());
      const seen: string[] = [];
      for (const [reason, fix] of order) {
        seen.push(decideCallback(f).reason);
        assert.equal(seen.at(-1), reason, `after fixing up to ${seen.length - 1} problem(s)`);
        f = { ...f, ...fix };
      }
      assert.deepEqual(decideCallback(f), { callback: true, target: CALLER, reason: 'callback' });
    });
  });
});
