// Query depth and complexity limits: a query is refused before it runs.
import {
  GraphQLError,
  Kind,
  getNamedType,
  visit,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type GraphQLSchema,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { TRACE_SLOW_MS, currentTiming } from '#rollsafe/store';

export const MAX_DEPTH = 8;
export const MAX_COMPLEXITY = 20_000;
/** What one connection costs besides its nodes: the page's query. */
export const CONNECTION_COST = 10;
/** What a connection's `totalCount` costs when selected: a count may read many rows. */
export const COUNT_COST = 100;

/**
 * Connections (fields returning a `...Connection`) cost what they cost the database: a query
 * (CONNECTION_COST), `first` times what each node costs, and COUNT_COST more when
 * `totalCount` is selected. 200 aliased `scans(first: 1) { totalCount }` cost 22,200, over
 * the per-request limit, instead of 600.
 */
export function connectionEstimator(defaultFirst = 20): ComplexityEstimator {
  return ({ field, node, args, childComplexity }) => {
    if (!getNamedType(field.type).name.endsWith('Connection')) return undefined;
    const first = typeof args['first'] === 'number' && args['first'] > 0 ? args['first'] : defaultFirst;
    let counted = false;
    visit(node.selectionSet ?? { kind: Kind.SELECTION_SET, selections: [] }, {
      Field(inner) {
        if (inner.name.value === 'totalCount') counted = true;
        // only this connection's own fields: nested connections are estimated on their own
        return inner === node ? undefined : false;
      },
    });
    return CONNECTION_COST + first * childComplexity + (counted ? COUNT_COST : 0);
  };
}

/** isIntrospection's answers, per parsed document: asked on every request (graphql-jit's plugin), a walk of the whole document each time. */
const introspections = new WeakMap<DocumentNode, boolean>();

/** An operation that asks for the schema (`__schema` or `__type`). */
export function isIntrospection(document: DocumentNode): boolean {
  let found = introspections.get(document);
  if (found !== undefined) return found;
  found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') found = true;
    },
  });
  introspections.set(document, found);
  return found;
}

/**
 * Spends an organization's complexity budget for a request (and counts its API key's rate limit
 * with it when the request left that to its operation); says which limit refused it, if one did.
 */
export type SpendBudget = (
  context: BaseContext,
  organizationId: string,
  cost: number,
) => Promise<
  | { allowed: true }
  | { allowed: false; refused: 'budget'; retryAfterSeconds: number }
  | { allowed: false; refused: 'rate'; retryAfterSeconds: number; limit: number }
>;

export interface OperationGuards {
  /** The organization of the request (undefined without an API key). */
  organizationOf: (context: BaseContext) => string | undefined;
  /** Production: introspection only with an API key. */
  introspectionNeedsKey: boolean;
  spend?: SpendBudget;
}

function depthOf(selectionSet: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, visited: Set<string>): number {
  if (!selectionSet) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue; // introspection
      deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, fragments, visited));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, depthOf(selection.selectionSet, fragments, visited));
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || visited.has(name)) continue;
      deepest = Math.max(deepest, depthOf(fragment.selectionSet, fragments, new Set([...visited, name])));
    }
  }
  return deepest;
}

/** A validation rule refusing operations nested deeper than `max` fields. */
export function depthLimit(max: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, fragments, new Set());
        if (depth > max) {
          context.reportError(new GraphQLError(`query depth ${depth} exceeds the limit of ${max}`, { nodes: [node], extensions: { code: 'BAD_USER_INPUT' } }));
        }
      },
    };
  };
}

const ESTIMATORS = [connectionEstimator(), fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })];
/** Complexities computed, per parsed document: Apollo keeps one parsed document per distinct query text. */
const computed = new WeakMap<DocumentNode, Map<string, number>>();
const VARIABLE_SETS_PER_DOCUMENT = 64;

/**
 * An operation's estimated cost, computed once per document and operation and per value of its
 * non-string variables. No estimator reads a string argument (cursors, ids, filters): what a
 * query costs depends on `first` and on booleans (@include, @skip) only, so a client paging
 * through a list with the same query pays for the estimate once.
 */
export function complexityOf(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>): number {
  const counted: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(variables)) if (typeof value !== 'string') counted[name] = value;
  const key = `${operationName ?? ''}\n${JSON.stringify(counted)}`;
  let known = computed.get(document);
  const cached = known?.get(key);
  if (cached !== undefined) return cached;
  const complexity = getComplexity({ schema, query: document, ...(operationName ? { operationName } : {}), variables, estimators: ESTIMATORS });
  if (!known || known.size >= VARIABLE_SETS_PER_DOCUMENT) {
    known = new Map();
    computed.set(document, known);
  }
  known.set(key, complexity);
  return complexity;
}

/** An Apollo plugin refusing operations whose estimated cost exceeds `max`. */
export function complexityLimit(schema: () => GraphQLSchema, max: number, guards?: OperationGuards): ApolloServerPlugin {
  return {
    requestDidStart() {
      return Promise.resolve({
        ...(TRACE_SLOW_MS !== undefined ? { willSendResponse: () => Promise.resolve(currentTiming()?.mark('graphql response')) } : {}),
        async didResolveOperation({ request, document, contextValue }) {
          currentTiming()?.mark('graphql operation resolved');
          const organizationId = guards?.organizationOf(contextValue);
          if (guards?.introspectionNeedsKey && organizationId === undefined && isIntrospection(document)) {
            throw new GraphQLError('introspection needs an API key (Authorization: Bearer <key>)', {
              extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
            });
          }
          const complexity = complexityOf(schema(), document, request.operationName ?? undefined, request.variables ?? {});
          if (complexity > max) {
            throw new GraphQLError(`query complexity ${complexity} exceeds the limit of ${max}`, {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
          if (guards?.spend && organizationId !== undefined) {
            const answer = await guards.spend(contextValue, organizationId, complexity);
            if (answer.allowed) return;
            const { retryAfterSeconds } = answer;
            const http = { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) };
            if (answer.refused === 'rate') {
              // the API key's rate limit, as the REST middleware words it
              throw new GraphQLError(`rate limit of ${answer.limit} requests per minute exceeded; retry in ${retryAfterSeconds} s`, {
                extensions: { code: 'RATE_LIMITED', details: { limit: answer.limit }, retryAfter: retryAfterSeconds, http },
              });
            }
            throw new GraphQLError(
              `the organization's GraphQL budget for this minute is spent (this query costs ${complexity}); retry in ${retryAfterSeconds} s`,
              { extensions: { code: 'RATE_LIMITED', retryAfter: retryAfterSeconds, http } },
            );
          }
        },
      });
    },
  };
}
