// The rule pages (docs/rules/<id>.md) served by the API as HTML, offline: links between rule
// pages stay on this server (/docs/rules/<id>), so a finding's page and the pages it points
// to open without internet. `Accept: text/markdown` answers the page's source.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Controller, Get, Header, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import MarkdownIt from 'markdown-it';
import { DEFAULT_DOCS_BASE_URL, RULES } from '#rollsafe/advisor';
import { DomainError } from '#rollsafe/scans';
import { Public } from '../auth/auth.guard.js';
import { API_OPTIONS, type ApiOptions } from '../api.options.js';

export const RULE_DOCS_PATH = '/docs/rules';

/** docs/rules of this checkout or image: the first one up from this module (src or dist). */
export function findRuleDocs(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'docs', 'rules');
    if (fs.existsSync(path.join(candidate, 'README.md'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`docs/rules not found above ${from}`);
  }
}

interface Page {
  title: string;
  markdown: string;
  html: string;
}

/** Renders the pages once: markdown-it, no raw HTML, links between rule pages rewritten to this server. */
export function renderRuleDocs(dir: string, elsewhere: string): Map<string, Page> {
  const ids = new Set(RULES.map((rule) => rule.id));
  const md = new MarkdownIt({ html: false, linkify: false });
  const href = (target: string): string => {
    const rule = /^(?:\.\/)?([a-z0-9-]+)\.md(#[\w-]*)?$/.exec(target);
    if (rule && ids.has(rule[1] as string)) return `${RULE_DOCS_PATH}/${rule[1]}${rule[2] ?? ''}`;
    if (/^(?:\.\/)?README\.md$/.test(target)) return RULE_DOCS_PATH;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) return target;
    // another page of the docs (../providers.md): where the rule pages are published
    return new URL(target, `${elsewhere.replace(/\/$/, '')}/`).href;
  };
  md.core.ruler.push('rollsafe_rule_links', (state) => {
    for (const token of state.tokens) {
      for (const child of token.children ?? []) {
        if (child.type === 'link_open') child.attrSet('href', href(child.attrGet('href') ?? ''));
      }
    }
  });
  const pages = new Map<string, Page>();
  for (const id of ['README', ...ids]) {
    const file = path.join(dir, `${id}.md`);
    if (!fs.existsSync(file)) continue;
    const markdown = fs.readFileSync(file, 'utf8');
    const title = id === 'README' ? 'Rollsafe rules' : id;
    pages.set(id, { title, markdown, html: pageHtml(title, md.render(markdown), id !== 'README') });
  }
  return pages;
}

function pageHtml(title: string, body: string, backLink: boolean): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title.replace(/[<>&"]/g, '')} · Rollsafe</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #1f2328; }
pre { background: #f6f8fa; padding: 0.8rem; overflow-x: auto; } code { font-size: 0.9em; }
table { border-collapse: collapse; } th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.5rem; vertical-align: top; }
nav { margin-bottom: 1rem; }
</style>
</head>
<body>
${backLink ? `<nav><a href="${RULE_DOCS_PATH}">All rules</a></nav>\n` : ''}${body}</body>
</html>
`;
}

@ApiExcludeController()
@Public()
@Controller('docs/rules')
export class RuleDocsController {
  private readonly pages: Map<string, Page>;

  constructor(@Inject(API_OPTIONS) options: ApiOptions) {
    this.pages = renderRuleDocs(findRuleDocs(), options.docsBaseUrl ?? DEFAULT_DOCS_BASE_URL);
  }

  @Get()
  @Header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
  index(@Req() request: Request, @Res() response: Response): void {
    this.send('README', request, response);
  }

  @Get(':id')
  @Header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
  page(@Param('id') id: string, @Req() request: Request, @Res() response: Response): void {
    this.send(id.replace(/\.md$/, ''), request, response);
  }

  private send(id: string, request: Request, response: Response): void {
    const page = id === 'README' || /^[a-z0-9-]{1,100}$/.test(id) ? this.pages.get(id) : undefined;
    if (!page) throw new DomainError('NOT_FOUND', `no rule ${id}: ${RULE_DOCS_PATH} lists them`);
    if (request.accepts(['text/html', 'text/markdown']) === 'text/markdown') {
      response.type('text/markdown; charset=utf-8').send(page.markdown);
      return;
    }
    response.type('text/html; charset=utf-8').send(page.html);
  }
}
