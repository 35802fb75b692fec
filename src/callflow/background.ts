import type { AppDeps } from '../deps';
import { deliverEventHandler } from '../events/delivery-job';
import { JobRunner } from '../jobs/job-runner';
import { placeCallbackHandler } from './place-callback';
import { sweep } from './sweeper';

/** The job runner and the sweeper of one service instance; `stop` lets the job in hand finish. */
export function startBackgroundWork(deps: AppDeps, opts: { owner?: string; pollMs?: number; sweepMs?: number } = {}): { runner: JobRunner; stop(): Promise<void> } {
  const runner = new JobRunner(
    deps,
    { 'place-callback': placeCallbackHandler(deps), 'deliver-event': deliverEventHandler(deps) },
    { owner: opts.owner, pollMs: opts.pollMs, concurrency: deps.config.jobConcurrency },
  );
  runner.start();
  let sweeping: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    sweeping = sweep(deps).catch((err) => deps.logger.error({ err }, 'sweep failed'));
  }, opts.sweepMs ?? 30_000);
  timer.unref();
  return {
    runner,
    async stop() {
      clearInterval(timer);
      await Promise.all([runner.stop(), sweeping]);
    },
  };
}
