import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ServiceVerdictList, Verdict, VerdictsService, type ListView, type ServiceVerdictView } from '#rollsafe/scans';
import { CurrentAuth } from '../auth/auth.guard.js';
import type { Auth } from '../auth/auth.types.js';
import { ErrorDto } from './dto.js';
import { intParam, stringParam } from './query.js';

const listArgs = (query: Record<string, unknown>) => ({
  verdict: stringParam('verdict', query['verdict']) ?? null,
  limit: intParam('limit', query['limit']) ?? null,
  cursor: stringParam('cursor', query['cursor']) ?? null,
});

/** Per-Service verdicts: will a rollout drop traffic, where, for how long, and what makes it safe. */
@ApiTags('verdicts')
@ApiBearerAuth('apiKey')
@ApiResponse({ status: 401, type: ErrorDto, description: 'Missing or wrong API key' })
@ApiResponse({ status: 429, type: ErrorDto, description: 'Rate limit exceeded (see Retry-After)' })
@Controller('api/v1')
export class VerdictsController {
  constructor(private readonly verdicts: VerdictsService) {}

  @Get('scans/:id/services')
  @ApiOperation({ summary: "A scan's per-Service verdicts, in namespace/name order" })
  @ApiQuery({ name: 'verdict', required: false, enum: Verdict })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1-200, default 50' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiResponse({ status: 200, type: ServiceVerdictList })
  @ApiResponse({ status: 404, type: ErrorDto })
  forScan(@CurrentAuth() auth: Auth, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<ListView<ServiceVerdictView>> {
    return this.verdicts.forScan(auth.organizationId, id, listArgs(query));
  }

  @Get('scans/:id/services/:namespace/:name/timeline.svg')
  @Header('Content-Type', 'image/svg+xml; charset=utf-8')
  @ApiOperation({ summary: "A Service's rollout timeline (SVG, readable without JavaScript)" })
  @ApiProduces('image/svg+xml')
  @ApiResponse({ status: 200, description: 'The picture' })
  @ApiResponse({ status: 404, type: ErrorDto })
  scanTimeline(@CurrentAuth() auth: Auth, @Param('id') id: string, @Param('namespace') namespace: string, @Param('name') name: string): Promise<string> {
    return this.verdicts.timeline(auth.organizationId, id, namespace, name);
  }

  @Get('clusters/:id/services')
  @ApiOperation({ summary: "A cluster's per-Service verdicts, from its newest succeeded scan" })
  @ApiQuery({ name: 'verdict', required: false, enum: Verdict })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1-200, default 50' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiResponse({ status: 200, type: ServiceVerdictList })
  @ApiResponse({ status: 404, type: ErrorDto })
  forCluster(@CurrentAuth() auth: Auth, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<ListView<ServiceVerdictView>> {
    return this.verdicts.forCluster(auth.organizationId, id, listArgs(query));
  }

  @Get('clusters/:id/services/:namespace/:name/timeline.svg')
  @Header('Content-Type', 'image/svg+xml; charset=utf-8')
  @ApiOperation({ summary: "A cluster Service's rollout timeline from its newest scan (SVG)" })
  @ApiProduces('image/svg+xml')
  @ApiResponse({ status: 200, description: 'The picture' })
  @ApiResponse({ status: 404, type: ErrorDto })
  clusterTimeline(@CurrentAuth() auth: Auth, @Param('id') id: string, @Param('namespace') namespace: string, @Param('name') name: string): Promise<string> {
    return this.verdicts.clusterTimeline(auth.organizationId, id, namespace, name);
  }
}
