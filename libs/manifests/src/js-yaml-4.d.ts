// The parts of js-yaml 4.1 (installed as `js-yaml-4`) that the fast path uses.
declare module 'js-yaml-4' {
  export interface Mark {
    line: number;
    column: number;
    position: number;
  }
  export class YAMLException extends Error {
    reason: string;
    mark?: Mark;
  }
  export interface LoaderState {
    position: number;
    line: number;
    lineStart: number;
    kind: string | null;
    result: unknown;
  }
  export interface TypeOptions {
    kind: 'scalar' | 'sequence' | 'mapping';
    resolve?: (data: string) => boolean;
    construct?: (data: string) => unknown;
  }
  export class Type {
    constructor(tag: string, options: TypeOptions);
  }
  export class Schema {
    extend(definition: { implicit?: Type[]; explicit?: Type[] }): Schema;
  }
  export const FAILSAFE_SCHEMA: Schema;
  export interface LoadOptions {
    schema?: Schema;
    json?: boolean;
    filename?: string;
    listener?: (event: 'open' | 'close', state: LoaderState) => void;
  }
  export function load(text: string, options?: LoadOptions): unknown;
  /** Used by tests, to write documents for the parser to read. */
  export function dump(value: unknown, options?: object): string;
  const jsYaml4: { load: typeof load; dump: typeof dump; Type: typeof Type; FAILSAFE_SCHEMA: Schema; YAMLException: typeof YAMLException };
  export default jsYaml4;
}
