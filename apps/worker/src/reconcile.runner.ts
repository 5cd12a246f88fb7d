// Runs the reconciler (libs/scans' ScanReconciler) every ROLLSAFE_RECONCILE_INTERVAL_MS, and
// at once, with the job schedulers, whenever Redis comes back after being unreachable (it
// may have restarted empty: lost jobs and lost schedulers are put back from Postgres).
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createRedis, type AppConfig } from '#rollsafe/runtime';
import { ScanReconciler, ScheduleService } from '#rollsafe/scans';

export const RECONCILE_CONFIG = Symbol('RECONCILE_CONFIG');
export type ReconcileConfig = Pick<AppConfig, 'redisUrl' | 'reconcileIntervalMs'>;

@Injectable()
export class ReconcileRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ReconcileRunner');
  private timer: NodeJS.Timeout | undefined;
  private watcher: Redis | undefined;
  private running: Promise<void> | undefined;
  private redisWasDown = false;
  private stopped = false;

  constructor(
    private readonly reconciler: ScanReconciler,
    private readonly schedules: ScheduleService,
    @Inject(RECONCILE_CONFIG) private readonly config: ReconcileConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.pass(false), this.config.reconcileIntervalMs);
    this.timer.unref();
    // A connection of its own that only watches Redis come and go.
    this.watcher = createRedis(this.config.redisUrl, 'rollsafe-worker-watch');
    this.watcher.on('error', () => undefined);
    this.watcher.on('close', () => {
      this.redisWasDown = true;
    });
    this.watcher.on('ready', () => {
      if (!this.redisWasDown) return;
      this.redisWasDown = false;
      this.logger.warn({ msg: 'Redis is back: reconciling job schedulers and unfinished scans' });
      void this.pass(true);
    });
  }

  /** One pass at a time; `redisReturned`: also reinstall the job schedulers, with no grace. */
  pass(redisReturned: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      // A pass is under way (it may have started before Redis came back): the schedulers are
      // reinstalled by another pass right after it.
      if (redisReturned) return this.running.then(() => this.pass(true));
      return this.running;
    }
    this.running = (async () => {
      try {
        if (redisReturned) {
          const { installed, removed } = await this.schedules.reconcile();
          this.logger.log({ msg: 'job schedulers reconciled with the schedule rows', installed, removed });
        }
        await this.reconciler.reconcile(new Date(), redisReturned ? 0 : this.config.reconcileIntervalMs);
      } catch (error) {
        this.logger.warn({ msg: 'reconcile pass failed: the next one retries', error: String(error) });
        if (redisReturned) this.redisWasDown = true;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Shutdown: no new pass; waits for the current one. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
    await this.watcher?.quit().catch(() => this.watcher?.disconnect());
  }
}
