import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ScanQueryService, ScanRequestService, type ListView } from '#rollsafe/scans';
import { CurrentAuth } from '../auth/auth.guard.js';
import type { Auth } from '../auth/auth.types.js';
import { FindingConnection, Scan, ScanConnection, ScanStatus, ScanTrigger, Severity } from './models.js';

export function connection<T>(list: ListView<T>): { nodes: T[]; pageInfo: { hasNextPage: boolean; endCursor: string | null }; totalCount: number } {
  return {
    nodes: list.items,
    pageInfo: { hasNextPage: list.nextCursor !== undefined, endCursor: list.nextCursor ?? null },
    totalCount: list.totalCount ?? list.items.length,
  };
}

/** GraphQL over the same use cases as the REST controllers. */
@Resolver(() => Scan)
export class ScansResolver {
  constructor(
    private readonly requests: ScanRequestService,
    private readonly queries: ScanQueryService,
  ) {}

  @Query(() => Scan, { description: "One of the organization's scans" })
  scan(@CurrentAuth() auth: Auth, @Args('id', { type: () => ID }) id: string): Promise<Scan> {
    return this.queries.get(auth.organizationId, id) as Promise<Scan>;
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
  ): Promise<ScanConnection> {
    return connection(
      await this.queries.list(auth.organizationId, {
        limit: first,
        cursor: after ?? null,
        status: status ?? null,
        trigger: trigger ?? null,
        clusterId: clusterId ?? null,
      }),
    ) as ScanConnection;
  }

  @Mutation(() => Scan, { description: 'Queue a scan of YAML or JSON manifests (at most 10 MiB)' })
  scanManifests(
    @CurrentAuth() auth: Auth,
    @Args('manifests') manifests: string,
    @Args('provider', { type: () => String, nullable: true, description: 'alibaba, aws, gcp or azure' }) provider?: string | null,
    @Args('target', { type: () => String, nullable: true }) target?: string | null,
  ): Promise<Scan> {
    return this.requests.request({
      organizationId: auth.organizationId,
      files: [{ name: 'upload', text: manifests }],
      provider: provider ?? null,
      target: target ?? null,
      trigger: 'upload',
    }) as Promise<Scan>;
  }

  @ResolveField(() => FindingConnection, { complexity: ({ args, childComplexity }) => 1 + Number(args['first'] ?? 50) * childComplexity })
  async findings(
    @Parent() scan: Scan,
    @CurrentAuth() auth: Auth,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
    @Args('severity', { type: () => Severity, nullable: true }) severity?: Severity | null,
    @Args('ruleId', { type: () => String, nullable: true }) ruleId?: string | null,
  ): Promise<FindingConnection> {
    return connection(
      await this.queries.findings(auth.organizationId, scan.id, { limit: first, cursor: after ?? null, severity: severity ?? null, ruleId: ruleId ?? null }),
    ) as FindingConnection;
  }
}
