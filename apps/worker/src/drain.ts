// The worker's drain on SIGTERM, before Postgres and Redis close: take no new job, let the
// running ones finish (a scan finishing queues its notifications: what it promised), and by
// the deadline hand back to the queue the jobs that could not finish, for another worker.
import type { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { InFlight } from './in-flight.js';
import { NotificationsProcessor } from './notifications.processor.js';
import { ReconcileRunner } from './reconcile.runner.js';
import { ScansProcessor } from './scans.processor.js';
import { SchedulesProcessor } from './schedules.processor.js';

export async function drainWorker(app: INestApplicationContext, logger: Logger, deadline: number): Promise<void> {
  const inFlight = app.get(InFlight);
  const workers = [app.get(ScansProcessor), app.get(SchedulesProcessor), app.get(NotificationsProcessor)].map((processor) => processor.worker);
  await app.get(ReconcileRunner).stop();
  logger.info({ running: inFlight.size }, 'draining: no new jobs; waiting for the running ones');
  const closed = Promise.all(workers.map((worker) => worker.close()));
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([
    closed.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), Math.max(0, deadline - Date.now()));
    }),
  ]);
  if (timer) clearTimeout(timer);
  if (!late) {
    logger.info('drained: every running job finished');
    return;
  }
  const handed = await inFlight.handBack();
  logger.warn({ handed }, 'drain deadline reached: unfinished jobs handed back to the queue');
  await Promise.all(workers.map((worker) => worker.close(true).catch(() => undefined)));
}
