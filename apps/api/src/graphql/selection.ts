import { Kind, getArgumentValues, getNamedType, isObjectType, type FieldNode, type GraphQLResolveInfo } from 'graphql';

/**
 * The arguments (defaults applied, variables read) of the field `name` selected directly under
 * the field being resolved, so that a resolver can read what that field will need in the same
 * query. Undefined when it is not selected once, plainly: twice (aliases), under a directive
 * (@include, @skip) or only through fragments; the field then reads for itself.
 */
export function argumentsOfSelected(info: GraphQLResolveInfo, name: string): Record<string, unknown> | undefined {
  const type = getNamedType(info.returnType);
  const field = isObjectType(type) ? type.getFields()[name] : undefined;
  if (!field) return undefined;
  let found: FieldNode | undefined;
  for (const node of info.fieldNodes) {
    for (const selection of node.selectionSet?.selections ?? []) {
      if (selection.kind !== Kind.FIELD || selection.name.value !== name) continue;
      if (found || (selection.directives?.length ?? 0) > 0) return undefined;
      found = selection;
    }
  }
  if (!found) return undefined;
  try {
    return getArgumentValues(field, found, info.variableValues);
  } catch {
    return undefined;
  }
}
