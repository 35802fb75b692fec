/**
 * `work`, or `onLate()` when it has not settled within `ms` (real time). The late work is not cancelled;
 * its later failure is swallowed here, so the caller logs it if it cares.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, onLate: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onLate()), ms);
  });
  work.catch(() => {});
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
