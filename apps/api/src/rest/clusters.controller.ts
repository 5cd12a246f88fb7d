import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ClusterService,
  DomainError,
  ScheduleService,
  type ClusterFindingView,
  type ClusterInput,
  type ListView,
  type ScanView,
  type ScheduleInput,
  ClusterView,
  ClusterFindingList,
  ClusterList,
  ScanList,
  ScheduleView,
  ScanStatus,
  ScanTrigger,
  Severity,
  FindingStatusFilter,
} from '#rollsafe/scans';
import { CurrentAuth } from '../auth/auth.guard.js';
import type { Auth } from '../auth/auth.types.js';
import { ErrorDto, RegisterClusterDto, ScheduleInputDto, ScanQueuedDto, UpdateClusterDto } from './dto.js';
import { ApiCountQuery, countParam, intParam, stringParam } from './query.js';
import { Idempotent } from '../idempotency/idempotency.interceptor.js';

function clusterInput(body: unknown): ClusterInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DomainError('BAD_INPUT', 'the body must be a JSON object { "name", "kubeconfig" }');
  }
  return body as ClusterInput;
}

@ApiTags('clusters')
@ApiBearerAuth('apiKey')
@ApiResponse({ status: 401, type: ErrorDto, description: 'Missing or wrong API key' })
@ApiResponse({ status: 429, type: ErrorDto, description: 'Rate limit exceeded (see Retry-After)' })
@Controller('api/v1/clusters')
export class ClustersController {
  constructor(
    private readonly clusters: ClusterService,
    private readonly schedules: ScheduleService,
  ) {}

  @Idempotent()
  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a cluster from a read-only kubeconfig (verified before it is stored, encrypted)' })
  @ApiBody({ type: RegisterClusterDto })
  @ApiResponse({ status: 201, type: ClusterView, description: 'Never carries the credentials; `warnings` name what cannot be listed' })
  @ApiResponse({ status: 400, type: ErrorDto })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'A cluster by that name exists' })
  @ApiResponse({
    status: 422,
    type: ErrorDto,
    description:
      'KUBECONFIG_NOT_READ_ONLY, KUBECONFIG_INVALID, KUBECONFIG_EXEC_FORBIDDEN, KUBECONFIG_FILE_REFERENCE, KUBECONFIG_INSECURE, TARGET_FORBIDDEN, CLUSTER_UNREACHABLE, CLUSTER_FORBIDDEN',
  })
  register(@CurrentAuth() auth: Auth, @Body() body: unknown): Promise<ClusterView> {
    return this.clusters.register(auth.organizationId, clusterInput(body));
  }

  @Get()
  @ApiOperation({ summary: "The organization's clusters, newest first" })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiCountQuery()
  @ApiResponse({ status: 200, type: ClusterList })
  list(@CurrentAuth() auth: Auth, @Query() query: Record<string, unknown>): Promise<ListView<ClusterView>> {
    return this.clusters.list(auth.organizationId, {
      limit: intParam('limit', query['limit']) ?? null,
      cursor: stringParam('cursor', query['cursor']) ?? null,
      count: countParam(query['count']),
    });
  }

  @Get(':id')
  @ApiOperation({ summary: "One of the organization's clusters" })
  @ApiResponse({ status: 200, type: ClusterView })
  @ApiResponse({ status: 404, type: ErrorDto })
  get(@CurrentAuth() auth: Auth, @Param('id') id: string): Promise<ClusterView> {
    return this.clusters.get(auth.organizationId, id);
  }

  @Idempotent()
  @Patch(':id')
  @ApiOperation({ summary: 'Rename, set provider or quota (null clears), or replace the kubeconfig (verified again)' })
  @ApiBody({ type: UpdateClusterDto })
  @ApiResponse({ status: 200, type: ClusterView })
  @ApiResponse({ status: 404, type: ErrorDto })
  @ApiResponse({ status: 422, type: ErrorDto, description: 'KUBECONFIG_NOT_READ_ONLY and the other refusals of registration, for a new kubeconfig' })
  update(@CurrentAuth() auth: Auth, @Param('id') id: string, @Body() body: unknown): Promise<ClusterView> {
    return this.clusters.update(auth.organizationId, id, clusterInput(body));
  }

  @Idempotent()
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete the cluster, its credentials, scans and finding states' })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 404, type: ErrorDto })
  async remove(@CurrentAuth() auth: Auth, @Param('id') id: string): Promise<void> {
    await this.clusters.delete(auth.organizationId, id);
  }

  @Idempotent()
  @Post(':id/scans')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a scan of the cluster (read-only: lists and gets)' })
  @ApiResponse({ status: 202, type: ScanQueuedDto })
  @ApiResponse({ status: 404, type: ErrorDto })
  async scan(@CurrentAuth() auth: Auth, @Param('id') id: string): Promise<ScanQueuedDto> {
    return ScanQueuedDto.fromResult(await this.clusters.requestScan(auth.organizationId, id, 'manual'));
  }

  @Get(':id/scans')
  @ApiOperation({ summary: "The cluster's scans, newest first" })
  @ApiQuery({ name: 'status', required: false, enum: ScanStatus })
  @ApiQuery({ name: 'trigger', required: false, enum: ScanTrigger })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiCountQuery()
  @ApiResponse({ status: 200, type: ScanList })
  @ApiResponse({ status: 404, type: ErrorDto })
  scans(@CurrentAuth() auth: Auth, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<ListView<ScanView>> {
    return this.clusters.scansOf(auth.organizationId, id, {
      status: stringParam('status', query['status']) ?? null,
      trigger: stringParam('trigger', query['trigger']) ?? null,
      limit: intParam('limit', query['limit']) ?? null,
      cursor: stringParam('cursor', query['cursor']) ?? null,
      count: countParam(query['count']),
    });
  }

  @Get(':id/findings')
  @ApiOperation({ summary: "The cluster's findings with their state across scans (open by default)" })
  @ApiQuery({ name: 'status', required: false, enum: FindingStatusFilter })
  @ApiQuery({ name: 'severity', required: false, enum: Severity })
  @ApiQuery({ name: 'ruleId', required: false })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1-200, default 50' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiCountQuery()
  @ApiResponse({ status: 200, type: ClusterFindingList })
  @ApiResponse({ status: 404, type: ErrorDto })
  findings(@CurrentAuth() auth: Auth, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<ListView<ClusterFindingView>> {
    return this.clusters.findings(auth.organizationId, id, {
      status: stringParam('status', query['status']) ?? null,
      severity: stringParam('severity', query['severity']) ?? null,
      ruleId: stringParam('ruleId', query['ruleId']) ?? null,
      limit: intParam('limit', query['limit']) ?? null,
      cursor: stringParam('cursor', query['cursor']) ?? null,
      count: countParam(query['count']),
    });
  }

  @Idempotent()
  @Put(':id/schedule')
  @ApiOperation({ summary: 'Scan the cluster on a schedule: a cron expression (with a time zone) or every N seconds; replaces any schedule' })
  @ApiBody({ type: ScheduleInputDto })
  @ApiResponse({ status: 200, type: ScheduleView })
  @ApiResponse({ status: 404, type: ErrorDto })
  @ApiResponse({ status: 422, type: ErrorDto, description: 'SCHEDULE_INVALID: details.field names cron, timezone or everySeconds' })
  setSchedule(@CurrentAuth() auth: Auth, @Param('id') id: string, @Body() body: unknown): Promise<ScheduleView> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new DomainError('BAD_INPUT', 'the body must be a JSON object { "cron", "timezone" } or { "everySeconds" }');
    }
    return this.schedules.set(auth.organizationId, id, body as ScheduleInput);
  }

  @Get(':id/schedule')
  @ApiOperation({ summary: "The cluster's schedule" })
  @ApiResponse({ status: 200, type: ScheduleView })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'No such cluster, or it has no schedule' })
  getSchedule(@CurrentAuth() auth: Auth, @Param('id') id: string): Promise<ScheduleView> {
    return this.schedules.get(auth.organizationId, id);
  }

  @Idempotent()
  @Delete(':id/schedule')
  @HttpCode(204)
  @ApiOperation({ summary: 'Stop scanning the cluster on a schedule' })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 404, type: ErrorDto })
  async deleteSchedule(@CurrentAuth() auth: Auth, @Param('id') id: string): Promise<void> {
    await this.schedules.delete(auth.organizationId, id);
  }
}
