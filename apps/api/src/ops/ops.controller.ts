import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DatabaseHealth } from '#rollsafe/store';
import { Public } from '../auth/auth.guard.js';
import { RedisConnection } from '../auth/redis.provider.js';
import { MetricsService } from './metrics.service.js';
import { Lifecycle } from './lifecycle.js';

@ApiExcludeController()
@Public()
@Controller()
export class OpsController {
  constructor(
    private readonly database: DatabaseHealth,
    private readonly redis: RedisConnection,
    private readonly metrics: MetricsService,
    private readonly lifecycle: Lifecycle,
  ) {}

  /** The process is up. */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Postgres and Redis answer, and the process is not shutting down. */
  @Get('readyz')
  async readyz(@Res({ passthrough: true }) response: Response): Promise<{ status: string; checks: { postgres: boolean; redis: boolean } }> {
    const [postgres, redis] = await Promise.all([this.database.answers(), this.redis.answers()]);
    const status = this.lifecycle.shuttingDown ? 'shutting-down' : postgres && redis ? 'ok' : 'unavailable';
    if (status !== 'ok') response.status(503);
    return { status, checks: { postgres, redis } };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
