import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import {
  NotificationDelivery,
  WebhookService,
  DeliveryView,
  DeliveryConnection,
  Severity,
  WebhookView,
  WebhookConnection,
  WebhookKind,
  toConnection,
  type Connection,
} from '#rollsafe/scans';
import { CurrentAuth } from '../auth/auth.guard.js';
import { Idempotent, withIdempotencyKey } from '../idempotency/idempotency.interceptor.js';
import type { Auth } from '../auth/auth.types.js';

/** GraphQL over the same webhook use case as the REST controller. */
@Resolver(() => WebhookView)
export class WebhooksResolver {
  constructor(
    private readonly delivery: NotificationDelivery,
    private readonly service: WebhookService,
  ) {}

  @Query(() => WebhookView, { description: "One of the organization's webhooks" })
  webhook(@CurrentAuth() auth: Auth, @Args('id', { type: () => ID }) id: string): Promise<WebhookView> {
    return this.service.get(auth.organizationId, id);
  }

  @Query(() => WebhookConnection, {
    description: "The organization's webhooks, newest first",
    complexity: ({ args, childComplexity }) => 1 + Number(args['first'] ?? 20) * childComplexity,
  })
  async webhooks(
    @CurrentAuth() auth: Auth,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<Connection<WebhookView>> {
    return toConnection(await this.service.list(auth.organizationId, { limit: first, cursor: after ?? null }));
  }

  @Idempotent()
  @Mutation(() => WebhookView, {
    description: withIdempotencyKey(
      'Send chat messages about what each scan changed. url and secret are stored encrypted; a URL at an address the outbound policy refuses has extensions.reason TARGET_FORBIDDEN',
    ),
  })
  createWebhook(
    @CurrentAuth() auth: Auth,
    @Args('kind', { type: () => WebhookKind }) kind: WebhookKind,
    @Args('url') url: string,
    @Args('secret', { type: () => String, nullable: true }) secret?: string | null,
    @Args('minSeverity', { type: () => Severity, nullable: true, description: 'default warning' }) minSeverity?: Severity | null,
    @Args('clusterIds', { type: () => [ID], nullable: true, description: 'default: every scan' }) clusterIds?: string[] | null,
  ): Promise<WebhookView> {
    return this.service.create(auth.organizationId, { kind, url, secret, minSeverity, ...(clusterIds ? { clusterIds } : {}) });
  }

  @Idempotent()
  @Mutation(() => WebhookView, { description: withIdempotencyKey('Change a webhook. removeSecret drops its secret; clusterIds [] means every scan') })
  updateWebhook(
    @CurrentAuth() auth: Auth,
    @Args('id', { type: () => ID }) id: string,
    @Args('kind', { type: () => WebhookKind, nullable: true }) kind?: WebhookKind | null,
    @Args('url', { type: () => String, nullable: true }) url?: string | null,
    @Args('secret', { type: () => String, nullable: true }) secret?: string | null,
    @Args('removeSecret', { type: () => Boolean, nullable: true }) removeSecret?: boolean | null,
    @Args('minSeverity', { type: () => Severity, nullable: true }) minSeverity?: Severity | null,
    @Args('clusterIds', { type: () => [ID], nullable: true }) clusterIds?: string[] | null,
  ): Promise<WebhookView> {
    // GraphQL cannot tell an omitted argument from null here: null leaves a field as it is.
    return this.service.update(auth.organizationId, id, {
      ...(kind != null ? { kind } : {}),
      ...(url != null ? { url } : {}),
      ...(removeSecret ? { secret: null } : secret != null ? { secret } : {}),
      ...(minSeverity != null ? { minSeverity } : {}),
      ...(clusterIds != null ? { clusterIds } : {}),
    });
  }

  @Idempotent()
  @Mutation(() => Boolean, { description: withIdempotencyKey('Delete a webhook and its delivery log') })
  async deleteWebhook(@CurrentAuth() auth: Auth, @Args('id', { type: () => ID }) id: string): Promise<boolean> {
    await this.service.delete(auth.organizationId, id);
    return true;
  }

  @Idempotent()
  @Mutation(() => DeliveryView, { description: withIdempotencyKey('Send a sample message now (one attempt); logged with the deliveries') })
  testWebhook(@CurrentAuth() auth: Auth, @Args('id', { type: () => ID }) id: string): Promise<DeliveryView> {
    return this.delivery.sendTest(auth.organizationId, id);
  }

  @ResolveField(() => DeliveryConnection, { complexity: ({ args, childComplexity }) => 1 + Number(args['first'] ?? 50) * childComplexity })
  async deliveries(
    @Parent() webhook: WebhookView,
    @CurrentAuth() auth: Auth,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<Connection<DeliveryView>> {
    return toConnection(await this.service.deliveries(auth.organizationId, webhook.id, { limit: first, cursor: after ?? null }));
  }
}
