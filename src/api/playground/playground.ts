/**
 * The GraphiQL playground, served entirely from this project's node_modules
 * (React and GraphiQL's browser bundles): users' servers are often offline.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import { EXAMPLE_OPERATIONS } from './examples.ts';

export const PLAYGROUND_ASSET_PREFIX = '/playground/assets/';

const require = createRequire(import.meta.url);

/** A file inside a dependency; React's `exports` hide its UMD builds from require.resolve. */
function packageFile(pkg: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
}

/** Asset name → file. A fixed table: the URL never reaches the file system. */
const ASSETS: Record<string, { file: string; contentType: string }> = {
  'react.production.min.js': { file: packageFile('react', 'umd/react.production.min.js'), contentType: 'text/javascript' },
  'react-dom.production.min.js': {
    file: packageFile('react-dom', 'umd/react-dom.production.min.js'),
    contentType: 'text/javascript',
  },
  'graphiql.min.js': { file: packageFile('graphiql', 'graphiql.min.js'), contentType: 'text/javascript' },
  'graphiql.min.css': { file: packageFile('graphiql', 'graphiql.min.css'), contentType: 'text/css' },
  'boot.js': { file: fileURLToPath(new URL('./boot.js', import.meta.url)), contentType: 'text/javascript' },
};

/** GraphiQL styles itself inline (emotion); scripts only from this server. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: http: https:; font-src 'self' data:; connect-src 'self'";

export interface PlaygroundOptions {
  /** Path of the GraphQL endpoint the page talks to. */
  endpoint: string;
  /** When keys are required, the headers editor starts with an Authorization line to fill in. */
  apiKeysRequired: boolean;
}

/** JSON inside <script>: `<` escaped so a value can never close the tag. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export function playgroundHtml({ endpoint, apiKeysRequired }: PlaygroundOptions): string {
  const headers = apiKeysRequired ? JSON.stringify({ Authorization: 'Bearer <your API key>' }, null, 2) : '';
  const settings = {
    endpoint,
    headers,
    tabs: EXAMPLE_OPERATIONS.map((op) => ({ query: op.query, variables: op.variables, headers })),
  };
  const asset = (name: string) => `${PLAYGROUND_ASSET_PREFIX}${name}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sightline playground</title>
<link rel="stylesheet" href="${asset('graphiql.min.css')}">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading the playground…</div>
<script type="application/json" id="sightline-playground">${scriptJson(settings)}</script>
<script src="${asset('react.production.min.js')}"></script>
<script src="${asset('react-dom.production.min.js')}"></script>
<script src="${asset('graphiql.min.js')}"></script>
<script src="${asset('boot.js')}"></script>
</body>
</html>
`;
}

export function sendPlayground(res: ServerResponse, options: PlaygroundOptions): void {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'cache-control': 'no-cache',
  });
  res.end(playgroundHtml(options));
}

/** Serves one bundle; false when the name is not one of ours. */
export async function sendPlaygroundAsset(res: ServerResponse, name: string): Promise<boolean> {
  const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!asset) return false;
  const body = await readFile(asset.file);
  res.writeHead(200, { 'content-type': `${asset.contentType}; charset=utf-8`, 'cache-control': 'public, max-age=3600' });
  res.end(body);
  return true;
}
