/** Time as a dependency: call-flow rules (ring hold, dial window, leases) are tested without sleeping. */
export interface Clock {
  now(): Date;
  /** Resolves after ms, or early (without rejecting) when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** A random source in [0, 1); injected so random caller ID picks are reproducible in tests. */
export type RandomSource = () => number;
export const systemRandom: RandomSource = Math.random;
