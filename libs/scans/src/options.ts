export interface ScansOptions {
  /** Base of the rule pages linked from findings. */
  docsBaseUrl?: string;
}

export const SCANS_OPTIONS = Symbol('SCANS_OPTIONS');
