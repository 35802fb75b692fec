import type { SimClock } from './sim-clock';

/** The phone the service calls back: how (and whether) it answers the callback's ring. */

export type PhoneAnswer =
  /** Answers after `afterS` seconds (simulator clock). */
  | { kind: 'auto'; afterS: number }
  | { kind: 'busy' }
  | { kind: 'no-answer' }
  /** Asks someone (a terminal): resolves true to answer, false to decline; the ring timeout applies. */
  | { kind: 'ask'; ask: (from: string, signal: AbortSignal) => Promise<boolean> };

/** Rings the phone until it answers, declines or the ring timeout passes (simulator clock). */
export async function phoneAnswers(phone: PhoneAnswer, clock: SimClock, from: string, ringTimeoutS: number): Promise<'answered' | 'busy' | 'no-answer'> {
  switch (phone.kind) {
    case 'busy':
      await clock.sleep(1000);
      return 'busy';
    case 'no-answer':
      await clock.sleep(ringTimeoutS * 1000);
      return 'no-answer';
    case 'auto':
      if (phone.afterS >= ringTimeoutS) {
        await clock.sleep(ringTimeoutS * 1000);
        return 'no-answer';
      }
      await clock.sleep(phone.afterS * 1000);
      return 'answered';
    case 'ask': {
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), ringTimeoutS * 1000);
      try {
        const yes = await Promise.race([phone.ask(from, ac.signal), new Promise<false>((r) => ac.signal.addEventListener('abort', () => r(false), { once: true }))]);
        return yes ? 'answered' : ac.signal.aborted ? 'no-answer' : 'busy';
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
