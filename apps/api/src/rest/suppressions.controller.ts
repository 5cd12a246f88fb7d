import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  HiddenFindingList,
  SuppressionService,
  type HiddenFindingView,
  type ListView,
  type SuppressionInput,
  SuppressionView,
  SuppressionList,
} from '#rollsafe/scans';
import { CurrentAuth } from '../auth/auth.guard.js';
import type { Auth } from '../auth/auth.types.js';
import { Idempotent } from '../idempotency/idempotency.interceptor.js';
import { CreateSuppressionDto, ErrorDto } from './dto.js';
import { ApiCountQuery, countParam, intParam, stringParam } from './query.js';

@ApiTags('suppressions')
@ApiBearerAuth('apiKey')
@Controller('api/v1/suppressions')
export class SuppressionsController {
  constructor(private readonly suppressions: SuppressionService) {}

  @Idempotent()
  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Silence a rule for the organization (everywhere, or for matching resources) in later scans' })
  @ApiBody({ type: CreateSuppressionDto })
  @ApiResponse({ status: 201, type: SuppressionView })
  @ApiResponse({
    status: 400,
    type: ErrorDto,
    description: 'A missing field, a ruleId that is not a rule, an expiresAt in the past (`details.field` names it)',
  })
  create(@CurrentAuth() auth: Auth, @Body() body: unknown): Promise<SuppressionView> {
    return this.suppressions.create(auth.organizationId, (typeof body === 'object' && body !== null ? body : {}) as SuppressionInput);
  }

  @Get()
  @ApiOperation({ summary: "The organization's suppressions, newest first" })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiResponse({ status: 200, type: SuppressionList })
  list(@CurrentAuth() auth: Auth, @Query() query: Record<string, unknown>): Promise<ListView<SuppressionView>> {
    return this.suppressions.list(auth.organizationId, {
      limit: intParam('limit', query['limit']) ?? null,
      cursor: stringParam('cursor', query['cursor']) ?? null,
    });
  }

  @Get(':id/findings')
  @ApiOperation({
    summary: 'What the suppression hid',
    description:
      'The findings it matches (its rule; its namespace, kind and name where set) in the last succeeded scan of each target (upload target or cluster) ' +
      "that finished before it was created: what the target's later scans stopped reporting because of it. Ordered by scan, then as the scan lists them.",
  })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1-200, default 50' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiCountQuery()
  @ApiResponse({ status: 200, type: HiddenFindingList })
  @ApiResponse({ status: 404, type: ErrorDto })
  hidden(@CurrentAuth() auth: Auth, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<ListView<HiddenFindingView>> {
    return this.suppressions.hidden(auth.organizationId, id, {
      limit: intParam('limit', query['limit']) ?? null,
      cursor: stringParam('cursor', query['cursor']) ?? null,
      count: countParam(query['count']),
    });
  }

  @Idempotent()
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a suppression: later scans report what it silenced' })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 404, type: ErrorDto })
  async remove(@CurrentAuth() auth: Auth, @Param('id') id: string): Promise<void> {
    await this.suppressions.delete(auth.organizationId, id);
  }
}
