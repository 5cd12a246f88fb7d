/**
 * The npm packages the bundled CLI loads from vendor/ (each bundled alone by tools/bundle-cli.mjs)
 * instead of holding them in cli.cjs: only the cluster scan, the demo, `fix` and SARIF need them,
 * and cli.cjs stays small to read and compile. Keep in step with VENDOR_PACKAGES there.
 */
export function vendorFileOf(packageName: string): string {
  return `${packageName.replace(/\//g, '+')}.cjs`;
}
