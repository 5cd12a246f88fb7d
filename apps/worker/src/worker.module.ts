import { Module, type DynamicModule } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import type { WorkerOptions } from 'bullmq';
import { StoreModule } from '#rollsafe/store';
import { ScansModule } from '#rollsafe/scans';
import { redisOptionsFromUrl } from '#rollsafe/runtime';
import { ScansProcessor, configuredScansProcessor } from './scans.processor.js';

export interface WorkerModuleOptions {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  concurrency: number;
  docsBaseUrl?: string;
  /** Cluster scans: the credentials' keys, the outbound policy, the operator's TLS setting. */
  encryptionKey?: Uint8Array;
  oldEncryptionKeys?: Uint8Array[];
  outboundAllow?: string[];
  allowInsecureKubeconfig?: boolean;
  /** How long a job's lock lives without renewal: a dead worker's job reruns after about this. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

@Module({})
export class WorkerModule {
  static forRoot(options: WorkerModuleOptions): DynamicModule {
    const workerOptions: Partial<WorkerOptions> = {
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: 2,
    };
    return {
      module: WorkerModule,
      imports: [
        StoreModule.forRoot({ databaseUrl: options.databaseUrl, poolSize: options.concurrency + 2 }),
        BullModule.forRoot({ connection: redisOptionsFromUrl(options.redisUrl), prefix: options.queuePrefix }),
        ScansModule.forRoot({
          ...(options.docsBaseUrl ? { docsBaseUrl: options.docsBaseUrl } : {}),
          ...(options.encryptionKey ? { encryptionKey: options.encryptionKey } : {}),
          oldEncryptionKeys: options.oldEncryptionKeys ?? [],
          outboundAllow: options.outboundAllow ?? [],
          allowInsecureKubeconfig: options.allowInsecureKubeconfig === true,
        }),
      ],
      providers: [{ provide: ScansProcessor, useClass: configuredScansProcessor(workerOptions) }],
    };
  }
}
