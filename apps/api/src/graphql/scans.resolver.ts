import { Args, ID, Info, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import {
  JSONScalar,
  SimulationResultView,
  SimulationService,
  FixedManifestsService,
  FixedManifestsView,
  FindingView,
  ScanQueryService,
  ScanRequestService,
  FindingConnection,
  type FindingListArgs,
  ScanView,
  ScanConnection,
  ScanStatus,
  ScanTrigger,
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
import { argumentsOfSelected } from './selection.js';

/** GraphQL over the same use cases as the REST controllers. */
@Resolver(() => ScanView)
export class ScansResolver {
  constructor(
    private readonly requests: ScanRequestService,
    private readonly queries: ScanQueryService,
    private readonly fixed: FixedManifestsService,
    private readonly verdicts: VerdictsService,
    private readonly simulations: SimulationService,
  ) {}

  /** With `findings` selected, the scan and that page of its findings are one query (ScanQueryService.get). */
  @Query(() => ScanView, { description: "One of the organization's scans" })
  scan(@CurrentAuth() auth: Auth, @Args('id', { type: () => ID }) id: string, @Info() info: GraphQLResolveInfo): Promise<ScanView> {
    const findings = argumentsOfSelected(info, 'findings');
    return this.queries.get(auth.organizationId, id, findings && findingListArgs(findings));
  }

  @Query(() => ScanConnection, {
    description: "The organization's scans, newest first",
    complexity: ({ args, childComplexity }) => 1 + Number(args['first'] ?? 20) * childComplexity,
  })
  async scans(
    @CurrentAuth() auth: Auth,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
    @Args('status', { type: () => ScanStatus, nullable: true }) status?: ScanStatus | null,
    @Args('trigger', { type: () => ScanTrigger, nullable: true }) trigger?: ScanTrigger | null,
    @Args('clusterId', { type: () => ID, nullable: true, description: "Only this cluster's scans" }) clusterId?: string | null,
  ): Promise<Connection<ScanView>> {
    return toConnection(
      await this.queries.list(auth.organizationId, {
        limit: first,
        cursor: after ?? null,
        status: status ?? null,
        trigger: trigger ?? null,
        clusterId: clusterId ?? null,
      }),
    );
  }

  @Idempotent()
  @Mutation(() => ScanView, { description: withIdempotencyKey('Queue a scan of YAML or JSON manifests (at most 10 MiB)') })
  scanManifests(
    @CurrentAuth() auth: Auth,
    @Args('manifests') manifests: string,
    @Args('provider', { type: () => String, nullable: true, description: 'auto (default: detected from annotations), alibaba, aws, gcp, azure or tencent' })
    provider?: string | null,
    @Args('target', { type: () => String, nullable: true }) target?: string | null,
  ): Promise<ScanView> {
    return this.requests.request({
      organizationId: auth.organizationId,
      files: [{ name: 'upload', text: manifests }],
      provider: provider ?? null,
      target: target ?? null,
      trigger: 'upload',
    });
  }

  @ResolveField(() => FindingConnection, { complexity: ({ args, childComplexity }) => 1 + Number(args['first'] ?? 50) * childComplexity })
  async findings(
    @Parent() scan: ScanView,
    @CurrentAuth() auth: Auth,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
    @Args('severity', { type: () => Severity, nullable: true }) severity?: Severity | null,
    @Args('ruleId', { type: () => String, nullable: true }) ruleId?: string | null,
  ): Promise<Connection<FindingView>> {
    return toConnection(await this.queries.findings(auth.organizationId, scan.id, findingListArgs({ first, after, severity, ruleId }), scan));
  }

  @ResolveField(() => FixedManifestsView, {
    description: 'The upload with every fix that needs no human decision applied, and what was left for a human (upload scans only)',
    complexity: 50,
  })
  fixedManifests(@Parent() scan: ScanView, @CurrentAuth() auth: Auth): Promise<FixedManifestsView> {
    return this.fixed.plan(auth.organizationId, scan.id);
  }

  @ResolveField(() => ServiceVerdictConnection, {
    description: "The scan's per-Service verdicts: will a rollout drop traffic",
    complexity: ({ args, childComplexity }) => 1 + Number(args['first'] ?? 50) * childComplexity,
  })
  async services(
    @Parent() parent: ScanView,
    @CurrentAuth() auth: Auth,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
    @Args('verdict', { type: () => Verdict, nullable: true }) verdict?: Verdict | null,
  ): Promise<Connection<ServiceVerdictView>> {
    return toConnection(await this.verdicts.forScan(auth.organizationId, parent.id, { limit: first, cursor: after ?? null, verdict: verdict ?? null }));
  }

  @Query(() => SimulationResultView, {
    description: "Simulate the rollouts of a few manifests' Services now (at most 1 MiB): SIMULATOR.md's object per Service and workload, as { runs }",
  })
  simulate(
    @CurrentAuth() _auth: Auth,
    @Args('manifests') manifests: string,
    @Args('provider', { type: () => String, nullable: true, description: 'auto, alibaba, aws, gcp, azure or tencent' }) provider?: string | null,
    @Args('parameters', { type: () => JSONScalar, nullable: true, description: "SIMULATOR.md's parameters, as POST /api/v1/simulations takes them" })
    parameters?: unknown,
    @Args('service', { type: () => JSONScalar, nullable: true, description: 'Only this Service: { namespace, name }' }) service?: unknown,
  ): Promise<SimulationResultView> {
    return this.simulations.simulate({ manifests, provider, parameters, service });
  }
}

/** A findings field's GraphQL arguments as ScanQueryService takes them. */
function findingListArgs(args: Record<string, unknown>): FindingListArgs {
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  return {
    limit: typeof args['first'] === 'number' ? args['first'] : null,
    cursor: text(args['after']),
    severity: text(args['severity']),
    ruleId: text(args['ruleId']),
  };
}
