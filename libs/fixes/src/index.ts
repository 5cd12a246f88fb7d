// Applies the advisor's remediation patches to manifest text, keeping comments, key order and
// every untouched document byte for byte: what `rollsafe fix` and the API's fixed manifests share.
export { planFixes, type AppliedFix, type FixedFile, type FixPlan, type LeftFix } from './plan.js';
