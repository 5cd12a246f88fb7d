// `rollsafe rules ID`: the rule's page (docs/rules/<id>.md), read from disk: the repository's
// docs/rules, or the copy shipped in the CLI package. Links between rule pages become
// `rollsafe rules <id>` so they work offline.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** docs/rules beside the code: up from this module (dist/apps/cli/src, apps/cli/src, or the package's lib/). */
export function rulesDocsDir(from: string = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'docs', 'rules');
    if (fs.existsSync(path.join(candidate, 'README.md'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** The page with links to other rule pages rewritten as the command that shows them. */
export function offlineRulePage(markdown: string): string {
  return markdown.replace(/\[([^\]]+)\]\(([A-Za-z0-9-]+)\.md(#[^)]*)?\)/g, (_all, text: string, id: string) =>
    id === 'README' ? `${text} (\`rollsafe rules\`)` : `${text} (\`rollsafe rules ${id}\`)`,
  );
}

export function readRulePage(id: string, dir = rulesDocsDir()): string | undefined {
  if (!dir || !/^[a-z0-9-]+$/.test(id)) return undefined;
  try {
    return offlineRulePage(fs.readFileSync(path.join(dir, `${id}.md`), 'utf8'));
  } catch {
    return undefined;
  }
}
