// jitQueries answers a query's successful result from graphql-jit's compiled code, the same data
// graphql-js answers, and leaves everything else (errors, mutations, introspection) to Apollo's
// executor, which then answers as it always did.
import {
  GraphQLError,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  execute,
  getOperationAST,
  parse,
} from 'graphql';
import type { BaseContext, GraphQLRequestListener, GraphQLResponse } from '@apollo/server';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jitQueries, jitSchemaOf } from './jit.js';

const seen: unknown[] = [];
const Item = new GraphQLObjectType({
  name: 'Item',
  fields: {
    id: { type: new GraphQLNonNull(GraphQLString) },
    n: { type: GraphQLInt },
    tag: {
      type: GraphQLString,
      args: { upper: { type: GraphQLInt } },
      resolve: (item: { id: string }, args: { upper?: number }) => (args.upper ? item.id.toUpperCase() : item.id),
    },
  },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      items: {
        type: new GraphQLList(Item),
        args: { first: { type: GraphQLInt } },
        resolve: (_root: unknown, args: { first?: number }, context: unknown) => {
          seen.push(context);
          return Promise.resolve(Array.from({ length: args.first ?? 2 }, (_, i) => ({ id: `item-${i}`, n: i })));
        },
      },
      broken: {
        type: GraphQLString,
        resolve: () => {
          throw new GraphQLError('no', { extensions: { code: 'NOT_FOUND' } });
        },
      },
    },
  }),
  mutation: new GraphQLObjectType({ name: 'Mutation', fields: { touch: { type: GraphQLString, resolve: () => 'touched' } } }),
});

interface Operation {
  document: ReturnType<typeof parse>;
  operation: NonNullable<ReturnType<typeof getOperationAST>>;
  request: { operationName?: string; variables?: Record<string, unknown> };
  contextValue: BaseContext;
}

const documents = new Map<string, ReturnType<typeof parse>>();

async function respond(query: string, variables?: Record<string, unknown>, contextValue: BaseContext = {}): Promise<GraphQLResponse | null> {
  const listener = (await jitQueries(() => schema).requestDidStart?.({} as Parameters<NonNullable<ReturnType<typeof jitQueries>['requestDidStart']>>[0])) as
    GraphQLRequestListener<BaseContext> | undefined;
  // one parsed document per query text, as Apollo keeps them
  const document = documents.get(query) ?? parse(query);
  documents.set(query, document);
  const operation = getOperationAST(document);
  if (!operation) throw new Error('no operation');
  const forOperation = listener?.responseForOperation as ((context: Operation) => Promise<GraphQLResponse | null>) | undefined;
  return (await forOperation?.({ document, operation, request: { ...(variables ? { variables } : {}) }, contextValue })) ?? null;
}

describe('jitQueries', () => {
  it("answers a query with graphql-js's data, from the same resolvers with the same arguments and context", async () => {
    const query = 'query($first: Int) { items(first: $first) { id n tag(upper: 1) alias: tag } }';
    const context = { req: 'the request' };
    // the first run of a document is graphql-js's: only a document sent again is compiled
    expect(await respond(query, { first: 3 }, context)).toBeNull();
    const response = await respond(query, { first: 3 }, context);
    const expected = await execute({ schema, document: parse(query), variableValues: { first: 3 } });
    expect(response?.body).toEqual({ kind: 'single', singleResult: { data: expected.data } });
    expect(JSON.stringify(response?.body.kind === 'single' ? response.body.singleResult.data : undefined)).toBe(JSON.stringify(expected.data));
    expect(seen).toContain(context);
  });

  it('leaves to graphql-js a query that fails, a mutation, introspection and variables that do not coerce', async () => {
    for (const [query, variables] of [
      ['{ broken }'],
      ['{ items { id } broken }'],
      ['mutation { touch }'],
      ['{ __schema { queryType { name } } }'],
      ['query($first: Int) { items(first: $first) { id } }', { first: 'many' }],
    ] as Array<[string, Record<string, unknown>?]>) {
      // twice: the second run of a document is the compiled one's
      expect(await respond(query, variables)).toBeNull();
      expect(await respond(query, variables)).toBeNull();
    }
  });
});

describe('jitSchemaOf', () => {
  // what Nest's code-first schema gives a field without a resolver of its own
  const rootFieldResolver = (root: Record<string, unknown>) => root['label'];
  const Row = new GraphQLObjectType({ name: 'Row', fields: { label: { type: GraphQLString, resolve: rootFieldResolver }, n: { type: GraphQLInt } } });
  const rows = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { rows: { type: new GraphQLList(Row), resolve: () => [{ label: 'a', n: 1 }, { n: 2 }] } } }),
  });

  it("leaves out Nest's property resolvers, keeps every other, and answers the same", async () => {
    const jit = jitSchemaOf(rows);
    expect((jit.getType('Row') as GraphQLObjectType).getFields()['label']?.resolve).toBeUndefined();
    expect((jit.getType('Query') as GraphQLObjectType).getFields()['rows']?.resolve).toBeDefined();
    expect(jitSchemaOf(rows)).toBe(jit);
    const document = parse('{ rows { label n } }');
    expect(await execute({ schema: jit, document })).toEqual(await execute({ schema: rows, document }));
  });

  it('is right for every contract: no @Field gives a defaultValue or a name of its own, which a property read would not see', () => {
    const contracts = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../libs/scans/src/contracts');
    const decorators: string[] = [];
    for (const file of fs.readdirSync(contracts).filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'))) {
      const source = fs.readFileSync(path.join(contracts, file), 'utf8');
      for (let at = source.indexOf('@Field('); at >= 0; at = source.indexOf('@Field(', at + 1)) {
        let depth = 0;
        let end = at + '@Field'.length;
        do {
          if (source[end] === '(') depth += 1;
          if (source[end] === ')') depth -= 1;
          end += 1;
        } while (depth > 0 && end < source.length);
        decorators.push(source.slice(at, end));
      }
    }
    expect(decorators.length).toBeGreaterThan(100);
    expect(decorators.filter((decorator) => /\bdefaultValue\s*:|[{,]\s*name\s*:/.test(decorator))).toEqual([]);
  });
});
