// The worker: a NestJS application context (no HTTP) running the BullMQ processors.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { tuneV8ForScans } from '#rollsafe/advisor';
import { PinoNestLogger, createLogger, installShutdown, loadConfigOrExit } from '#rollsafe/runtime';
import { WorkerModule } from './worker.module.js';
import { drainWorker } from './drain.js';

async function main(): Promise<void> {
  tuneV8ForScans('many-scans'); // before any scan runs: threads stay warm across scans
  const config = loadConfigOrExit('worker');
  const logger = createLogger({ level: config.logLevel, app: 'worker' });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: new PinoNestLogger(logger) });
  await app.init();
  installShutdown(app, logger, config.shutdownTimeoutMs, { drain: (deadline) => drainWorker(app, logger, deadline) });
  logger.info({ concurrency: config.workerConcurrency, queuePrefix: config.queuePrefix }, 'worker started');
}

main().catch((error: unknown) => {
  process.stderr.write(`rollsafe worker: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
