import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { BullModule } from '@nestjs/bullmq';
import { GraphQLModule, GraphQLSchemaHost } from '@nestjs/graphql';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import type { GraphQLSchema } from 'graphql';
import type { Response } from 'express';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { StoreModule } from '#rollsafe/store';
import { ScansModule } from '#rollsafe/scans';
import { redisOptionsFromUrl } from '#rollsafe/runtime';
import { API_OPTIONS, type ApiOptions } from './api.options.js';
import { AuthGuard } from './auth/auth.guard.js';
import { AuthMiddleware } from './auth/auth.middleware.js';
import { RateLimiter } from './auth/rate-limiter.js';
import { OrganizationAdmission } from './auth/admission.js';
import { RedisConnection } from './auth/redis.provider.js';
import { ApiExceptionFilter } from './errors/api-exception.filter.js';
import { ScansResolver } from './graphql/scans.resolver.js';
import { ClustersResolver } from './graphql/clusters.resolver.js';
import { MAX_COMPLEXITY, MAX_DEPTH, complexityLimit, depthLimit } from './graphql/limits.js';
import { hideInternals } from './errors/graphql-errors.js';
import { offlineGraphiql } from './graphql/ide.js';
import { jitQueries } from './graphql/jit.js';
import type { AuthenticatedRequest } from './auth/auth.types.js';

const GRAPHQL_BUDGET_WIRING = Symbol('GRAPHQL_BUDGET_WIRING');
import { Lifecycle } from './ops/lifecycle.js';
import { MetricsService } from './ops/metrics.service.js';
import { OpsController } from './ops/ops.controller.js';
import { OrganizationsController } from './rest/organizations.controller.js';
import { FixedManifestsController } from './rest/fixed-manifests.controller.js';
import { VerdictsController } from './rest/verdicts.controller.js';
import { SimulationsController } from './rest/simulations.controller.js';
import { ScansController } from './rest/scans.controller.js';
import { ClustersController } from './rest/clusters.controller.js';
import { SuppressionsController } from './rest/suppressions.controller.js';
import { ProviderProfileController } from './rest/provider-profile.controller.js';
import { WebhooksController } from './rest/webhooks.controller.js';
import { WebhooksResolver } from './graphql/webhooks.resolver.js';
import { NodeResolver } from './graphql/node.resolver.js';
import { RuleDocsController } from './docs/rule-docs.controller.js';

@Module({})
export class ApiModule implements NestModule {
  static forRoot(options: ApiOptions): DynamicModule {
    let schemaHost: GraphQLSchemaHost | undefined;
    // The rate limiter of this app (set once Nest made it), for the GraphQL budget plugin.
    const wiring: { limiter?: RateLimiter } = {};
    return {
      module: ApiModule,
      imports: [
        StoreModule.forRoot({ databaseUrl: options.databaseUrl, poolSize: options.databasePoolSize }),
        BullModule.forRoot({ connection: redisOptionsFromUrl(options.redisUrl), prefix: options.queuePrefix }),
        ScansModule.forRoot(options),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [GraphQLSchemaHost],
          useFactory: (host: GraphQLSchemaHost) => {
            schemaHost = host;
            return {
              path: '/graphql',
              autoSchemaFile: true,
              sortSchema: true,
              // Allowed, but in production only with an API key (complexityLimit's guard).
              introspection: true,
              // Not Nest's GraphiQL nor Apollo's landing page (both load from a CDN): ours, from node_modules.
              graphiql: false,
              includeStacktraceInErrorResponses: false,
              formatError: hideInternals,
              // Field resolvers (a scan's findings, a cluster's scans...) throw through the same
              // exception filter as queries, so a DomainError keeps its code there too.
              fieldResolverEnhancers: ['filters'],
              context: ({ req, res }: { req: unknown; res: unknown }) => ({ req, res }),
              validationRules: [depthLimit(MAX_DEPTH)],
              plugins: [
                // No cache hints are used; Apollo's default cache-control plugin wrapped every field's resolver.
                ApolloServerPluginCacheControlDisabled(),
                offlineGraphiql('/graphql'),
                complexityLimit((): GraphQLSchema => (schemaHost as GraphQLSchemaHost).schema, MAX_COMPLEXITY, {
                  organizationOf: (context) => (context as { req?: AuthenticatedRequest }).req?.auth?.organizationId,
                  introspectionNeedsKey: options.nodeEnv === 'production',
                  spend: (context, organizationId, cost) => {
                    const { req, res } = context as { req: AuthenticatedRequest; res: Response };
                    return wiring.limiter ? wiring.limiter.spendForOperation(req, res, organizationId, cost) : Promise.resolve({ allowed: true });
                  },
                }),
                // Queries run by graphql-jit's compiled code; errors, mutations and introspection by graphql-js.
                jitQueries((): GraphQLSchema => (schemaHost as GraphQLSchemaHost).schema),
              ],
            };
          },
        }),
      ],
      controllers: [
        OrganizationsController,
        ScansController,
        FixedManifestsController,
        VerdictsController,
        SimulationsController,
        ClustersController,
        SuppressionsController,
        ProviderProfileController,
        WebhooksController,
        OpsController,
        RuleDocsController,
      ],
      providers: [
        { provide: API_OPTIONS, useValue: options },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        RedisConnection,
        RateLimiter,
        OrganizationAdmission,
        {
          provide: GRAPHQL_BUDGET_WIRING,
          inject: [RateLimiter],
          useFactory: (limiter: RateLimiter) => {
            wiring.limiter = limiter;
            return wiring;
          },
        },
        AuthMiddleware,
        MetricsService,
        Lifecycle,
        ScansResolver,
        ClustersResolver,
        WebhooksResolver,
        NodeResolver,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuthMiddleware).forRoutes('api/v1/*path', 'graphql');
  }
}
