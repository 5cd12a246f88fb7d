// Preloaded (NODE_OPTIONS=--import) by run.mjs only while the root package.json lacks an
// "imports" entry for a #rollsafe/* library the compiled CLI loads (#rollsafe/kube when this
// was written): resolves #rollsafe/<name> to dist/libs/<name>/src/index.js, exactly what the
// missing entry would say. Without the gap, run.mjs does not load it.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
const root = ${JSON.stringify(new URL('../../', import.meta.url).href)};
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const match = /^#rollsafe\\/([a-z-]+)$/.exec(specifier);
    if (!match) throw error;
    return next(root + 'dist/libs/' + match[1] + '/src/index.js', context);
  }
}
`),
);
