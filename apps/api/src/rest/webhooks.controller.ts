import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  NotificationDelivery,
  DomainError,
  WebhookService,
  type ListView,
  type WebhookInput,
  DeliveryView,
  DeliveryList,
  WebhookView,
  WebhookList,
} from '#rollsafe/scans';
import { CurrentAuth } from '../auth/auth.guard.js';
import type { Auth } from '../auth/auth.types.js';
import { Idempotent } from '../idempotency/idempotency.interceptor.js';
import { CreateWebhookDto, ErrorDto, UpdateWebhookDto } from './dto.js';
import { ApiCountQuery, countParam, intParam, stringParam } from './query.js';

function webhookInput(body: unknown): WebhookInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DomainError('BAD_INPUT', 'the body must be a JSON object { "kind", "url" }');
  }
  return body as WebhookInput;
}

@ApiTags('webhooks')
@ApiBearerAuth('apiKey')
@ApiResponse({ status: 401, type: ErrorDto, description: 'Missing or wrong API key' })
@ApiResponse({ status: 429, type: ErrorDto, description: 'Rate limit exceeded (see Retry-After)' })
@Controller('api/v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly delivery: NotificationDelivery,
    private readonly webhooks: WebhookService,
  ) {}

  @Idempotent()
  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Send chat messages about what each scan changed (new and resolved findings)' })
  @ApiBody({ type: CreateWebhookDto })
  @ApiResponse({ status: 201, type: WebhookView, description: 'Never carries the secret, nor a URL that holds a token' })
  @ApiResponse({ status: 400, type: ErrorDto })
  @ApiResponse({ status: 422, type: ErrorDto, description: 'TARGET_FORBIDDEN: the URL host is at an address the outbound policy refuses' })
  create(@CurrentAuth() auth: Auth, @Body() body: unknown): Promise<WebhookView> {
    return this.webhooks.create(auth.organizationId, webhookInput(body));
  }

  @Get()
  @ApiOperation({ summary: "The organization's webhooks, newest first" })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiCountQuery()
  @ApiResponse({ status: 200, type: WebhookList })
  list(@CurrentAuth() auth: Auth, @Query() query: Record<string, unknown>): Promise<ListView<WebhookView>> {
    return this.webhooks.list(auth.organizationId, {
      limit: intParam('limit', query['limit']) ?? null,
      cursor: stringParam('cursor', query['cursor']) ?? null,
      count: countParam(query['count']),
    });
  }

  @Get(':id')
  @ApiOperation({ summary: "One of the organization's webhooks" })
  @ApiResponse({ status: 200, type: WebhookView })
  @ApiResponse({ status: 404, type: ErrorDto })
  get(@CurrentAuth() auth: Auth, @Param('id') id: string): Promise<WebhookView> {
    return this.webhooks.get(auth.organizationId, id);
  }

  @Idempotent()
  @Patch(':id')
  @ApiOperation({ summary: 'Change kind, URL, secret (null removes it), minimum severity or clusters (null for all)' })
  @ApiBody({ type: UpdateWebhookDto })
  @ApiResponse({ status: 200, type: WebhookView })
  @ApiResponse({ status: 404, type: ErrorDto })
  @ApiResponse({ status: 422, type: ErrorDto, description: 'TARGET_FORBIDDEN: the new URL host is at an address the outbound policy refuses' })
  update(@CurrentAuth() auth: Auth, @Param('id') id: string, @Body() body: unknown): Promise<WebhookView> {
    return this.webhooks.update(auth.organizationId, id, webhookInput(body));
  }

  @Idempotent()
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook and its delivery log' })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 404, type: ErrorDto })
  async remove(@CurrentAuth() auth: Auth, @Param('id') id: string): Promise<void> {
    await this.webhooks.delete(auth.organizationId, id);
  }

  @Idempotent()
  @Post(':id/test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a sample message now (one attempt); the attempt is logged with the deliveries' })
  @ApiResponse({ status: 200, type: DeliveryView, description: '`result: delivered`, or `gave_up` with the status and error' })
  @ApiResponse({ status: 404, type: ErrorDto })
  test(@CurrentAuth() auth: Auth, @Param('id') id: string): Promise<DeliveryView> {
    return this.delivery.sendTest(auth.organizationId, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "The webhook's delivery attempts, newest first" })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1-200, default 50' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiCountQuery()
  @ApiResponse({ status: 200, type: DeliveryList })
  @ApiResponse({ status: 404, type: ErrorDto })
  deliveries(@CurrentAuth() auth: Auth, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<ListView<DeliveryView>> {
    return this.webhooks.deliveries(auth.organizationId, id, {
      limit: intParam('limit', query['limit']) ?? null,
      cursor: stringParam('cursor', query['cursor']) ?? null,
      count: countParam(query['count']),
    });
  }
}
