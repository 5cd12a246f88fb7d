// complexityOf remembers estimates per document: what it answers must be what the estimate
// computed afresh answers, whatever the variables.
import { buildSchema, parse } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { COUNT_COST, CONNECTION_COST, complexityOf, connectionEstimator, isIntrospection } from './limits.js';

const schema = buildSchema(`
  type Query { scan(id: ID!): Scan }
  type Scan { id: ID! findings(first: Int, after: String, severity: String): FindingConnection! }
  type FindingConnection { totalCount: Int nodes: [Finding!]! }
  type Finding { id: ID! ruleId: String! }
`);

const document = parse(`query Page($id: ID!, $first: Int, $after: String, $severity: String, $counted: Boolean!) {
  scan(id: $id) { findings(first: $first, after: $after, severity: $severity) { totalCount @include(if: $counted) nodes { id ruleId } } }
}`);

function fresh(variables: Record<string, unknown>): number {
  return getComplexity({
    schema,
    query: document,
    operationName: 'Page',
    variables,
    estimators: [connectionEstimator(), fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
  });
}

describe('complexityOf', () => {
  it('answers what a fresh estimate answers, for numbers and booleans that change the cost', () => {
    const cases = [
      { id: 'a', first: 50, counted: true },
      { id: 'a', first: 10, counted: true },
      { id: 'a', first: 50, counted: false },
      { id: 'a', counted: true },
      { id: 'b', first: 50, counted: true, after: 'eyJzIjo5OTkwMDB9', severity: 'critical' },
      { id: 'a', first: 10, counted: true },
    ];
    for (const variables of cases) expect(complexityOf(schema, document, 'Page', variables)).toBe(fresh(variables));
    // scan 1, the connection 10 + 50 x (totalCount 1 + nodes 3) + the count 100
    expect(complexityOf(schema, document, 'Page', { id: 'a', first: 50, counted: true })).toBe(1 + CONNECTION_COST + 50 * 4 + COUNT_COST);
    expect(complexityOf(schema, document, 'Page', { id: 'a', first: 10, counted: true })).toBe(1 + CONNECTION_COST + 10 * 4 + COUNT_COST);
  });

  it('keeps answering right past the number of variable sets it remembers per document', () => {
    for (let first = 1; first <= 150; first += 1) {
      expect(complexityOf(schema, document, 'Page', { id: 'x', first, counted: first % 2 === 0 })).toBe(fresh({ id: 'x', first, counted: first % 2 === 0 }));
    }
  });
});

describe('isIntrospection', () => {
  it('tells documents that ask for the schema from the others, each asked again answering the same', () => {
    const introspecting = [parse('{ __schema { types { name } } }'), parse('query { scan(id: "a") { id } __type(name: "Scan") { name } }')];
    const plain = [document, parse('{ scan(id: "a") { id __typename } }')];
    for (let round = 0; round < 2; round += 1) {
      expect(introspecting.map(isIntrospection)).toEqual([true, true]);
      expect(plain.map(isIntrospection)).toEqual([false, false]);
    }
  });
});
