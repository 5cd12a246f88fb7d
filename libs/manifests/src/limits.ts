export interface ManifestLimits {
  /** Largest accepted input, in bytes (UTF-8). */
  maxBytes: number;
  /** Most YAML documents (`---` separated) across all inputs of one parse. */
  maxDocuments: number;
  /** Most alias nodes (`*ref`) in one YAML document. */
  maxAliasesPerDocument: number;
  /** Most nodes one document may expand to once its aliases are followed (alias bombs). */
  maxExpandedNodesPerDocument: number;
}

/** Limits for uploads to the service. */
export const DEFAULT_LIMITS: ManifestLimits = {
  maxBytes: 10 * 1024 * 1024,
  maxDocuments: 10_000,
  maxAliasesPerDocument: 100,
  maxExpandedNodesPerDocument: 200_000,
};

/** Limits for the offline CLI, where the user scans their own files. */
export const CLI_LIMITS: ManifestLimits = {
  maxBytes: 512 * 1024 * 1024,
  maxDocuments: 2_000_000,
  maxAliasesPerDocument: 1_000,
  maxExpandedNodesPerDocument: 1_000_000,
};
