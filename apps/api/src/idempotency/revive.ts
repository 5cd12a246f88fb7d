// A kept GraphQL answer is JSON: its DateTime fields are ISO strings, which the DateTime
// scalar does not serialize. They are turned back into Dates by the field's type, never by
// what a string looks like.
import { GraphQLObjectType, GraphQLScalarType, getNamedType, getNullableType, isListType, isObjectType, type GraphQLOutputType } from 'graphql';

export function reviveForGraphql(value: unknown, type: GraphQLOutputType): unknown {
  if (value === null || value === undefined) return value;
  const nullable = getNullableType(type);
  if (isListType(nullable)) return Array.isArray(value) ? value.map((item) => reviveForGraphql(item, nullable.ofType as GraphQLOutputType)) : value;
  const named = getNamedType(nullable);
  if (named instanceof GraphQLScalarType) return named.name === 'DateTime' && typeof value === 'string' ? new Date(value) : value;
  if (isObjectType(named) && typeof value === 'object') return reviveObject(value as Record<string, unknown>, named);
  return value;
}

function reviveObject(value: Record<string, unknown>, type: GraphQLObjectType): Record<string, unknown> {
  const fields = type.getFields();
  return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, fields[name] ? reviveForGraphql(item, fields[name].type) : item]));
}
