// Test code only: a parse result as plain data, for comparing two parses with toEqual.
import type { ParseResult } from '../src/index.js';

export function plain(result: ParseResult): unknown {
  return {
    objects: [...result.snapshot.locations].map(([object, location]) => [location, object]),
    warnings: result.snapshot.warnings,
    other: result.snapshot.otherPodTemplates,
    errors: result.errors,
    documentCount: result.documentCount,
  };
}
