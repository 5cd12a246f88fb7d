// Shapes shared by several resources, and the two list shapes: REST `{ items, nextCursor,
// totalCount }` and GraphQL connections (Relay's: edges with cursors, a full PageInfo, and
// `nodes` as a shortcut), both made from the item's class.
import type { Type } from '@nestjs/common';
import { Field, ID, Int, InterfaceType, ObjectType } from '@nestjs/graphql';
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

/**
 * Relay's Node: what `node(id)` resolves. `id` is the object's UUID, as before (unique across
 * every type); `globalId` is the same object as Relay's typed global id, base64("Type:uuid").
 * `node(id)` takes either.
 */
@InterfaceType('Node', {
  description: 'An object node(id) fetches again: id is its UUID (the REST id), globalId the same as base64("Type:uuid"); node takes either',
  resolveType: (value: { [NODE_TYPE]?: string }) => value[NODE_TYPE],
})
export abstract class NodeInterface {
  @Field(() => ID, { description: 'The UUID (the REST id), unique across every type' }) id!: string;
  @Field(() => ID, { description: 'Relay global id: base64("Type:uuid")' }) globalId!: string;
}

/** The GraphQL type of an object node(id) returns (a symbol key: never serialized). */
export const NODE_TYPE = Symbol('NODE_TYPE');

@ObjectType({ description: "Relay's page information: where this page stands in the list" })
export class PageInfo {
  @Field() hasNextPage!: boolean;
  @Field({ description: 'True when the page was asked for after a cursor (the object the cursor came from is before it)' }) hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true, description: "The first edge's cursor; null on an empty page" }) startCursor?: string | null;
  @Field(() => String, { nullable: true, description: "The last edge's cursor (pass as after for the next page); null on an empty page" })
  endCursor?: string | null;
}

/** Where each item of a page is, for connections' edges (not serialized: a symbol key). */
export const PAGE_POSITION = Symbol('PAGE_POSITION');

export interface PagePosition {
  /**
   * The keyset cursor of the item at `index`: paging after it gives the items that follow.
   * Worked out when asked (a REST page needs its last one only, a connection the ones selected).
   */
  cursorOf(index: number): string;
  /** The page was asked for after a cursor. */
  after: boolean;
  /** Counts the list, for a connection whose totalCount is selected (the page did not count it). */
  count?: () => Promise<number>;
}

/** A page of a REST list. */
export interface ListView<T> {
  items: T[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
  totalCount?: number;
  [PAGE_POSITION]?: PagePosition;
}

/** The OpenAPI class of a REST list of `item` (`<Item>List`). */
/**
 * `counted`: true when the total comes from stored figures (always given), `on-request` when
 * it takes a COUNT (given with `?count=exact`, or when the whole list fits in the first page).
 */
export function ListOf<T>(item: Type<T>, options: { counted: boolean | 'on-request' }): Type<ListView<T>> {
  class List {
    @ApiProperty({ type: [item] }) items!: T[];
    @ApiPropertyOptional({ description: 'Pass as `cursor` for the next page; absent on the last page.' }) nextCursor?: string;
  }
  if (options.counted === true) ApiProperty({ type: Number })(List.prototype, 'totalCount');
  if (options.counted === 'on-request') {
    ApiPropertyOptional({
      type: Number,
      description: 'How many items the whole list has: given with `count=exact` (a count of the rows), or when the whole list fits in the first page',
    })(List.prototype, 'totalCount');
  }
  Object.defineProperty(List, 'name', { value: `${item.name.replace(/View$/, '')}List` });
  return List;
}

/** One item of a connection and the cursor to page after it. */
export interface Edge<T> {
  cursor: string;
  node: T;
}

/** A GraphQL connection of `item` (`<Type>Connection`, with `<Type>Edge`). */
export interface Connection<T> {
  edges: Array<Edge<T>>;
  nodes: T[];
  pageInfo: PageInfo;
  /** A getter when the list is counted on request: GraphQL reads it only when the field is selected. */
  readonly totalCount: number | Promise<number>;
}

export function ConnectionOf<T>(item: Type<T>, graphqlName: string): Type<Connection<T>> {
  @ObjectType(`${graphqlName}Edge`)
  class ItemEdge {
    @Field({ description: 'Pass as after for the items that follow this one' }) cursor!: string;
    @Field(() => item) node!: T;
  }
  @ObjectType(`${graphqlName}Connection`, { description: 'A page of a Relay connection; nodes is a shortcut for edges { node }' })
  class ItemConnection {
    @Field(() => [ItemEdge]) edges!: Array<Edge<T>>;
    @Field(() => [item], { description: "The edges' nodes, without cursors" }) nodes!: T[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
    @Field(() => Int, {
      description:
        'How many items the whole list has (not this page): worked out only when selected (from stored figures, or a count of the rows) and charged for in the query cost',
    })
    totalCount!: number;
  }
  return ItemConnection;
}

/**
 * A REST page (made by listPage, which knows each item's cursor) as a Relay connection. Edges
 * and cursors are made when GraphQL reads them (getters): a query selecting `nodes` and
 * `pageInfo { endCursor }` encodes one cursor, not one per item.
 */
export function toConnection<T>(list: ListView<T>): Connection<T> {
  const position = list[PAGE_POSITION];
  if (!position && list.items.length > 0) throw new Error('toConnection: a page without its cursors (make it with listPage)');
  return new PageConnection(list, position);
}

// The getters are a class's, on its prototype. An object literal's getters (`{ get edges() {} }`)
// cost each object an accessor pair, which V8 allocates in the old generation: until the next
// full collection it kept the getters' closures alive, and through them the page, its rows and
// their strings (bench/load: about 10 MB/s of the old generation at 200 GraphQL pages a second).

class PageConnection<T> implements Connection<T> {
  readonly nodes: T[];
  readonly pageInfo: PageInfo;
  #edges: Array<Edge<T>> | undefined;

  constructor(
    private readonly list: ListView<T>,
    private readonly position: PagePosition | undefined,
  ) {
    this.nodes = list.items;
    this.pageInfo = new PageCursors(list, position);
  }

  get edges(): Array<Edge<T>> {
    const position = this.position as PagePosition;
    return (this.#edges ??= this.list.items.map((node, index) => ({ cursor: position.cursorOf(index), node })));
  }

  get totalCount(): number | Promise<number> {
    const count = this.position?.count;
    return this.list.totalCount === undefined && count ? count() : (this.list.totalCount ?? this.list.items.length);
  }
}

class PageCursors implements PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly #last: number;

  constructor(
    list: ListView<unknown>,
    private readonly position: PagePosition | undefined,
  ) {
    this.hasNextPage = list.nextCursor !== undefined;
    this.hasPreviousPage = position?.after ?? false;
    this.#last = list.items.length - 1;
  }

  get startCursor(): string | null {
    return this.#last >= 0 ? (this.position as PagePosition).cursorOf(0) : null;
  }

  get endCursor(): string | null {
    return this.#last >= 0 ? (this.position as PagePosition).cursorOf(this.#last) : null;
  }
}

const GLOBAL_ID = /^([A-Za-z]+):([0-9a-f-]{36})$/i;

/** Relay's global id of an object: base64("Type:uuid"), as graphql-relay's toGlobalId writes it. */
export function toGlobalId(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64');
}

/** The type and UUID of a global id; undefined for anything else (a bare UUID among them). */
export function fromGlobalId(globalId: string): { type: string; id: string } | undefined {
  const match = GLOBAL_ID.exec(Buffer.from(globalId, 'base64').toString('utf8'));
  return match ? { type: match[1] as string, id: (match[2] as string).toLowerCase() } : undefined;
}
