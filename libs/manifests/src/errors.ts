export type ManifestErrorCode = 'YAML_SYNTAX' | 'JSON_SYNTAX' | 'TOO_LARGE' | 'TOO_MANY_DOCUMENTS' | 'ALIAS_LIMIT' | 'UNREADABLE';

/** Why an input could not be read or parsed, and where. Lines and columns are 1-based. */
export interface ManifestError {
  code: ManifestErrorCode;
  message: string;
  file: string;
  line?: number;
  column?: number;
}

export function formatManifestError(error: ManifestError): string {
  const where = error.line ? `${error.file}:${error.line}${error.column ? `:${error.column}` : ''}` : error.file;
  return `${where}: ${error.message}`;
}
