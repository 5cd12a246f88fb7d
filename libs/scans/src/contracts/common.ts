// Shapes shared by several resources, and the two list shapes: REST `{ items, nextCursor,
// totalCount }` and GraphQL connections, both made from the item's class.
import type { Type } from '@nestjs/common';
import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';

export type EvidenceJson = string | number | boolean | null | EvidenceJson[] | { [key: string]: EvidenceJson };

function literal(node: ValueNode): EvidenceJson {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.LIST:
      return node.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((field) => [field.name.value, literal(field.value)]));
    default:
      return null;
  }
}

export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: "Any JSON value (a finding's evidence)",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literal,
});

@ObjectType('Resource')
export class ResourceRef {
  @Field() @ApiProperty() kind!: string;
  @Field() @ApiProperty() namespace!: string;
  @Field() @ApiProperty() name!: string;
}

@ObjectType('Remediation')
export class RemediationView {
  @Field() @ApiProperty() summary!: string;
  @Field({ description: 'A YAML snippet to paste into the resource' })
  @ApiProperty({ description: 'A YAML snippet to paste into the resource.' })
  yaml!: string;
  @Field(() => ResourceRef, { nullable: true, description: 'The resource the patch applies to' })
  @ApiPropertyOptional({ type: ResourceRef, description: 'The resource the patch applies to' })
  target?: ResourceRef;
  @Field(() => String, { nullable: true, description: 'strategic-merge (patch the target) or create (add the patch as a new object)' })
  @ApiPropertyOptional({ enum: ['strategic-merge', 'create'], description: 'strategic-merge (patch the target) or create (add the patch as a new object)' })
  patchType?: 'strategic-merge' | 'create';
  @Field(() => JSONScalar, { nullable: true, description: 'The change as data, safe to apply; absent when a human must decide' })
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'The change as data, safe to apply; absent when a human must decide' })
  patch?: Record<string, EvidenceJson>;
  @Field(() => String, { nullable: true, description: 'Why the change is left to a human (then there is no patch)' })
  @ApiPropertyOptional({ description: 'Why the change is left to a human (then there is no patch)' })
  needsDecision?: string;
}

@ObjectType('SourceLocation')
export class SourceLocationView {
  @Field() @ApiProperty() file!: string;
  @Field(() => Int) @ApiProperty() line!: number;
}

@ObjectType()
export class PageInfo {
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor?: string | null;
}

/** A page of a REST list. */
export interface ListView<T> {
  items: T[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
  totalCount?: number;
}

/** The OpenAPI class of a REST list of `item` (`<Item>List`). */
export function ListOf<T>(item: Type<T>, options: { counted: boolean }): Type<ListView<T>> {
  class List {
    @ApiProperty({ type: [item] }) items!: T[];
    @ApiPropertyOptional({ description: 'Pass as `cursor` for the next page; absent on the last page.' }) nextCursor?: string;
  }
  if (options.counted) ApiProperty({ type: Number })(List.prototype, 'totalCount');
  Object.defineProperty(List, 'name', { value: `${item.name.replace(/View$/, '')}List` });
  return List;
}

/** A GraphQL connection of `item` (`<Type>Connection`). */
export interface Connection<T> {
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}

export function ConnectionOf<T>(item: Type<T>, graphqlName: string): Type<Connection<T>> {
  @ObjectType(`${graphqlName}Connection`)
  class ItemConnection {
    @Field(() => [item]) nodes!: T[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
    @Field(() => Int) totalCount!: number;
  }
  return ItemConnection;
}

/** A REST page as a GraphQL connection. */
export function toConnection<T>(list: ListView<T>): Connection<T> {
  return {
    nodes: list.items,
    pageInfo: { hasNextPage: list.nextCursor !== undefined, endCursor: list.nextCursor ?? null },
    totalCount: list.totalCount ?? list.items.length,
  };
}
