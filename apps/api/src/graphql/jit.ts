// GraphQL queries run by graphql-jit's compiled code where graphql-js's executor would run them.
import { OperationTypeNode, type DocumentNode, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { HeaderMap, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { isIntrospection } from './limits.js';

/**
 * Compiled operations, per parsed document (Apollo keeps one per distinct query text) and
 * operation name; ONCE for an operation seen once, which graphql-js runs: compiling costs more
 * than running once, so only a document sent again (a client paging) is compiled.
 */
const ONCE = 'once';
const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | null | typeof ONCE>>();
const OPERATIONS_PER_DOCUMENT = 16;

/**
 * The name of the resolver Nest's code-first schema gives every field that has no resolver of its
 * own (@nestjs/graphql's ObjectTypeDefinitionFactory.createFieldResolver): `root[property]`.
 */
const NEST_PROPERTY_RESOLVER = 'rootFieldResolver';

const jitSchemas = new WeakMap<GraphQLSchema, GraphQLSchema>();

/**
 * The schema graphql-jit compiles against: the same types, with Nest's property resolvers left
 * out. graphql-jit calls a field's resolver, with a resolve info object, for every field of every
 * object that has one; a field without one it compiles into a property read. Nest gives every
 * field one, so a page of 50 findings called 450 resolvers and allocated a third of what the
 * request did (bench/load: a scavenge every 280 ms under GraphQL paging, every 410 ms without).
 * The property read answers what Nest's resolver answers as long as no @Field gives a
 * `defaultValue` or a `name` other than its property's (jit.spec.ts checks the contracts).
 */
export function jitSchemaOf(schema: GraphQLSchema): GraphQLSchema {
  let jit = jitSchemas.get(schema);
  if (!jit) {
    jit = mapSchema(schema, {
      [MapperKind.OBJECT_FIELD]: (field) => (field.resolve?.name === NEST_PROPERTY_RESOLVER ? { ...field, resolve: undefined } : field),
    });
    jitSchemas.set(schema, jit);
  }
  return jit;
}

function compiledFor(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): CompiledQuery | null {
  const key = operationName ?? '';
  let known = compiled.get(document);
  const cached = known?.get(key);
  if (cached !== undefined && cached !== ONCE) return cached;
  if (!known || known.size >= OPERATIONS_PER_DOCUMENT) {
    known = new Map();
    compiled.set(document, known);
  }
  if (cached === undefined) {
    known.set(key, ONCE);
    return null;
  }
  let query: CompiledQuery | null = null;
  try {
    const result = compileQuery(jitSchemaOf(schema), document, operationName);
    query = isCompiledQuery(result) ? result : null;
  } catch {
    query = null;
  }
  known.set(key, query);
  return query;
}

/**
 * Runs a query operation with graphql-jit: the document compiled once into JavaScript that
 * resolves and completes each field of this query, where graphql-js walks the selection for
 * every field of every object on every request (two dictionary objects a field for its
 * arguments, one for each object's result, paths, infos: over half of what a GraphQL page
 * allocated, bench/load). Same schema, same resolvers (Nest's, with their guards and filters),
 * called with the same arguments.
 *
 * Only a query's successful result is answered this way, from its second run on (the first
 * is graphql-js's: a document sent once is not worth compiling). Mutations and subscriptions,
 * introspection, a document graphql-jit does not compile, and any query whose compiled run
 * reported an error are left to Apollo's executor (graphql-js), which runs the query again and
 * answers its errors as it always did: a query changes nothing, so running it twice costs only
 * time, and only when it fails.
 */
export function jitQueries(schema: () => GraphQLSchema): ApolloServerPlugin {
  return {
    requestDidStart() {
      return Promise.resolve({
        async responseForOperation({ document, operation, request, contextValue }) {
          if (operation.operation !== OperationTypeNode.QUERY || isIntrospection(document)) return null;
          const query = compiledFor(schema(), document, request.operationName ?? undefined);
          if (!query) return null;
          const result = await query.query(undefined, contextValue as BaseContext, request.variables ?? {});
          if (result.errors?.length || result.data === undefined || result.data === null) return null;
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single' as const, singleResult: { data: result.data } } };
        },
      });
    },
  };
}
