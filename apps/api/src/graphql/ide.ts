// The GraphQL IDE (GraphiQL) from this package's own node_modules: the page Apollo answers a
// browser's GET /graphql with, and its four scripts and styles under /graphiql. Nothing comes
// from a CDN, so it works offline and behind a firewall.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';

export const GRAPHIQL_ASSETS_PATH = '/graphiql';

const require = createRequire(import.meta.url);
const packageDir = (name: string): string => path.dirname(require.resolve(`${name}/package.json`));

/** The files the page loads, by the name it asks for. */
function assetFiles(): Record<string, { file: string; type: string }> {
  return {
    'react.production.min.js': { file: path.join(packageDir('react'), 'umd', 'react.production.min.js'), type: 'text/javascript; charset=utf-8' },
    'react-dom.production.min.js': { file: path.join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js'), type: 'text/javascript; charset=utf-8' },
    'graphiql.min.js': { file: path.join(packageDir('graphiql'), 'graphiql.min.js'), type: 'text/javascript; charset=utf-8' },
    'graphiql.min.css': { file: path.join(packageDir('graphiql'), 'graphiql.min.css'), type: 'text/css; charset=utf-8' },
  };
}

/** Serves GraphiQL's assets (GET only, these four files, cached a day). */
export function graphiqlAssets(): (request: Request, response: Response, next: NextFunction) => void {
  const files = assetFiles();
  for (const { file } of Object.values(files)) {
    if (!fs.existsSync(file)) throw new Error(`GraphiQL asset missing: ${file} (npm ci installs graphiql, react and react-dom)`);
  }
  return (request, response, next) => {
    const asset = files[request.path.replace(/^\//, '')];
    if (!asset || (request.method !== 'GET' && request.method !== 'HEAD')) return next();
    response.setHeader('Content-Type', asset.type);
    response.setHeader('Cache-Control', 'public, max-age=86400');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.sendFile(asset.file);
  };
}

const DEFAULT_QUERY = `# Rollsafe GraphQL. Put your API key in Headers below:
#   { "Authorization": "Bearer <apiKey>" }
# then run this (Ctrl-Enter). Connections follow Relay: edges { cursor node }, pageInfo,
# and nodes as a shortcut; node(id) fetches any object again.
query LatestScans {
  scans(first: 5) {
    totalCount
    edges {
      cursor
      node { id status target summary { critical warning info } verdictSummary { headline } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;

/** The page: GraphiQL 3 on React 18, both from /graphiql, talking to `graphqlPath`. */
export function graphiqlHtml(graphqlPath: string): string {
  const asset = (name: string): string => `${GRAPHIQL_ASSETS_PATH}/${name}`;
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Rollsafe GraphQL</title>
    <style>
      body { height: 100%; margin: 0; width: 100%; overflow: hidden; }
      #graphiql { height: 100vh; }
    </style>
    <link rel="stylesheet" href="${asset('graphiql.min.css')}" />
    <script src="${asset('react.production.min.js')}"></script>
    <script src="${asset('react-dom.production.min.js')}"></script>
    <script src="${asset('graphiql.min.js')}"></script>
  </head>
  <body>
    <div id="graphiql">Loading…</div>
    <script>
      const fetcher = GraphiQL.createFetcher({ url: ${JSON.stringify(graphqlPath)} });
      ReactDOM.createRoot(document.getElementById('graphiql')).render(
        React.createElement(GraphiQL, {
          fetcher,
          defaultQuery: ${JSON.stringify(DEFAULT_QUERY)},
          defaultEditorToolsVisibility: true,
          isHeadersEditorEnabled: true,
          shouldPersistHeaders: true,
        }),
      );
    </script>
  </body>
</html>
`;
}

/** Apollo's landing page (what a browser's GET /graphql shows): GraphiQL, served locally. */
export function offlineGraphiql(graphqlPath: string): ApolloServerPlugin<BaseContext> {
  const html = graphiqlHtml(graphqlPath);
  return {
    serverWillStart() {
      return Promise.resolve({ renderLandingPage: () => Promise.resolve({ html }) });
    },
  };
}
