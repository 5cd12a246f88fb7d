import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import {
  ClusterFindingView,
  ClusterService,
  ScheduleService,
  ClusterView,
  ClusterConnection,
  ClusterFindingConnection,
  FindingStatusFilter,
  ScanView,
  ScanConnection,
  ScanStatus,
  ScanTrigger,
  ScheduleView,
  Severity,
  toConnection,
  type Connection,
  ServiceVerdictConnection,
  ServiceVerdictView,
  Verdict,
  VerdictsService,
} from '#rollsafe/scans';
import { CurrentAuth } from '../auth/auth.guard.js';
import { Idempotent, withIdempotencyKey } from '../idempotency/idempotency.interceptor.js';
import type { Auth } from '../auth/auth.types.js';

/** GraphQL over the same cluster use case as the REST controller. */
@Resolver(() => ClusterView)
export class ClustersResolver {
  constructor(
    private readonly service: ClusterService,
    private readonly schedules: ScheduleService,
    private readonly verdicts: VerdictsService,
  ) {}

  @Idempotent()
  @Mutation(() => ScheduleView, {
    description: withIdempotencyKey(
      'Scan a cluster on a schedule: cron (with an optional IANA timezone) or everySeconds (at least ROLLSAFE_MIN_SCHEDULE_SECONDS); replaces any schedule. ' +
        'Refusals carry extensions.reason SCHEDULE_INVALID and extensions.details.field',
    ),
  })
  setSchedule(
    @CurrentAuth() auth: Auth,
    @Args('clusterId', { type: () => ID }) clusterId: string,
    @Args('cron', { type: () => String, nullable: true }) cron?: string | null,
    @Args('timezone', { type: () => String, nullable: true }) timezone?: string | null,
    @Args('everySeconds', { type: () => Int, nullable: true }) everySeconds?: number | null,
  ): Promise<ScheduleView> {
    return this.schedules.set(auth.organizationId, clusterId, { cron, timezone, everySeconds });
  }

  @Idempotent()
  @Mutation(() => Boolean, { description: withIdempotencyKey("Stop a cluster's scheduled scans") })
  async deleteSchedule(@CurrentAuth() auth: Auth, @Args('clusterId', { type: () => ID }) clusterId: string): Promise<boolean> {
    await this.schedules.delete(auth.organizationId, clusterId);
    return true;
  }

  @ResolveField(() => ScheduleView, { nullable: true, description: 'When the cluster is scanned by itself; null without a schedule' })
  async schedule(@Parent() cluster: ClusterView, @CurrentAuth() auth: Auth): Promise<ScheduleView | null> {
    return ((await this.schedules.find(auth.organizationId, cluster.id)) as ScheduleView | undefined) ?? null;
  }

  @Query(() => ClusterView, { description: "One of the organization's clusters" })
  cluster(@CurrentAuth() auth: Auth, @Args('id', { type: () => ID }) id: string): Promise<ClusterView> {
    return this.service.get(auth.organizationId, id);
  }

  @Query(() => ClusterConnection, {
    description: "The organization's clusters, newest first",
    complexity: ({ args, childComplexity }) => 1 + Number(args['first'] ?? 20) * childComplexity,
  })
  async clusters(
    @CurrentAuth() auth: Auth,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<Connection<ClusterView>> {
    return toConnection(await this.service.list(auth.organizationId, { limit: first, cursor: after ?? null }));
  }

  @Idempotent()
  @Mutation(() => ClusterView, {
    description: withIdempotencyKey(
      'Register a cluster from a read-only kubeconfig with inline credentials (verified, then stored encrypted; never returned). ' +
        'Refusals carry extensions.reason: KUBECONFIG_*, TARGET_FORBIDDEN, CLUSTER_UNREACHABLE, CLUSTER_FORBIDDEN',
    ),
  })
  registerCluster(
    @CurrentAuth() auth: Auth,
    @Args('name') name: string,
    @Args('kubeconfig') kubeconfig: string,
    @Args('context', { type: () => String, nullable: true }) context?: string | null,
    @Args('provider', {
      type: () => String,
      nullable: true,
      description: "auto (default: detected from the nodes' providerID), alibaba, aws, gcp, azure or tencent",
    })
    provider?: string | null,
    @Args('slbAttachmentQuota', { type: () => Int, nullable: true }) slbAttachmentQuota?: number | null,
  ): Promise<ClusterView> {
    return this.service.register(auth.organizationId, { name, kubeconfig, context, provider, slbAttachmentQuota });
  }

  @Idempotent()
  @Mutation(() => ClusterView, { description: withIdempotencyKey('Rename, set provider or quota, or replace the kubeconfig (verified again)') })
  updateCluster(
    @CurrentAuth() auth: Auth,
    @Args('id', { type: () => ID }) id: string,
    @Args('name', { type: () => String, nullable: true }) name?: string | null,
    @Args('kubeconfig', { type: () => String, nullable: true }) kubeconfig?: string | null,
    @Args('context', { type: () => String, nullable: true }) context?: string | null,
    @Args('provider', { type: () => String, nullable: true, description: 'auto: detected from the nodes again' }) provider?: string | null,
    @Args('slbAttachmentQuota', { type: () => Int, nullable: true }) slbAttachmentQuota?: number | null,
  ): Promise<ClusterView> {
    // GraphQL cannot tell an omitted argument from null here: null leaves a field as it is.
    return this.service.update(auth.organizationId, id, {
      ...(name != null ? { name } : {}),
      ...(kubeconfig != null ? { kubeconfig } : {}),
      ...(context != null ? { context } : {}),
      ...(provider != null ? { provider } : {}),
      ...(slbAttachmentQuota != null ? { slbAttachmentQuota } : {}),
    });
  }

  @Idempotent()
  @Mutation(() => Boolean, { description: withIdempotencyKey('Delete the cluster, its credentials, scans and finding states') })
  async deleteCluster(@CurrentAuth() auth: Auth, @Args('id', { type: () => ID }) id: string): Promise<boolean> {
    await this.service.delete(auth.organizationId, id);
    return true;
  }

  @Idempotent()
  @Mutation(() => ScanView, { description: withIdempotencyKey('Queue a scan of a registered cluster') })
  scanCluster(@CurrentAuth() auth: Auth, @Args('id', { type: () => ID }) id: string): Promise<ScanView> {
    return this.service.requestScan(auth.organizationId, id);
  }

  @ResolveField(() => ClusterFindingConnection, { complexity: ({ args, childComplexity }) => 1 + Number(args['first'] ?? 50) * childComplexity })
  async findings(
    @Parent() cluster: ClusterView,
    @CurrentAuth() auth: Auth,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
    @Args('status', { type: () => FindingStatusFilter, nullable: true, defaultValue: FindingStatusFilter.open }) status?: FindingStatusFilter | null,
    @Args('severity', { type: () => Severity, nullable: true }) severity?: Severity | null,
    @Args('ruleId', { type: () => String, nullable: true }) ruleId?: string | null,
  ): Promise<Connection<ClusterFindingView>> {
    return toConnection(
      await this.service.findings(auth.organizationId, cluster.id, {
        limit: first,
        cursor: after ?? null,
        status: status ?? null,
        severity: severity ?? null,
        ruleId: ruleId ?? null,
      }),
    );
  }

  @ResolveField(() => ScanConnection, { complexity: ({ args, childComplexity }) => 1 + Number(args['first'] ?? 20) * childComplexity })
  async scans(
    @Parent() cluster: ClusterView,
    @CurrentAuth() auth: Auth,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
    @Args('status', { type: () => ScanStatus, nullable: true }) status?: ScanStatus | null,
    @Args('trigger', { type: () => ScanTrigger, nullable: true }) trigger?: ScanTrigger | null,
  ): Promise<Connection<ScanView>> {
    return toConnection(
      await this.service.scansOf(auth.organizationId, cluster.id, { limit: first, cursor: after ?? null, status: status ?? null, trigger: trigger ?? null }),
    );
  }

  @ResolveField(() => ServiceVerdictConnection, {
    description: "The cluster's per-Service verdicts, from its newest succeeded scan",
    complexity: ({ args, childComplexity }) => 1 + Number(args['first'] ?? 50) * childComplexity,
  })
  async services(
    @Parent() parent: ClusterView,
    @CurrentAuth() auth: Auth,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
    @Args('verdict', { type: () => Verdict, nullable: true }) verdict?: Verdict | null,
  ): Promise<Connection<ServiceVerdictView>> {
    return toConnection(await this.verdicts.forCluster(auth.organizationId, parent.id, { limit: first, cursor: after ?? null, verdict: verdict ?? null }));
  }
}
