import { Args, ID, Info, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { NODE_TYPE, NodeInterface, NodeService, toGlobalId } from '#rollsafe/scans';
import { CurrentAuth } from '../auth/auth.guard.js';
import type { Auth } from '../auth/auth.types.js';

/**
 * Relay's object identification: node(id) and every Node's globalId. `id` stays the UUID the
 * REST API uses (unique across types, so node takes it too); `globalId` is base64("Type:uuid").
 */
@Resolver(() => NodeInterface)
export class NodeResolver {
  constructor(private readonly nodes: NodeService) {}

  @Query(() => NodeInterface, {
    nullable: true,
    description:
      'Any object of the organization by its id (UUID) or globalId (base64("Type:uuid")): Scan, Finding, Cluster, ClusterFinding, Webhook, Delivery, ServiceVerdict. Null when there is none',
  })
  async node(@CurrentAuth() auth: Auth, @Args('id', { type: () => ID }) id: string): Promise<(Pick<NodeInterface, 'id'> & { [NODE_TYPE]: string }) | null> {
    const found = await this.nodes.find(auth.organizationId, id);
    return found ? { ...found.view, [NODE_TYPE]: found.type } : null;
  }

  @ResolveField(() => ID)
  globalId(@Parent() parent: { id: string }, @Info() info: GraphQLResolveInfo): string {
    return toGlobalId(info.parentType.name, parent.id);
  }
}
