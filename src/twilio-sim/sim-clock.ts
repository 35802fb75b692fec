/**
 * The simulator's sense of time, injected so tests run a 60 s dial in a millisecond and a phone in a
 * terminal runs in real time.
 */
export interface SimClock {
  /** Milliseconds since some origin. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: SimClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms))),
};

/** Virtual time: every sleep returns at once (after a macrotask) and moves `now` forward. */
export function fastClock(start = Date.now()): SimClock & { elapsedMs(): number } {
  let t = start;
  return {
    now: () => t,
    sleep: async (ms) => {
      t += Math.max(0, ms);
      await new Promise((r) => setImmediate(r));
    },
    elapsedMs: () => t - start,
  };
}
