/**
 * Serving the browser UI (built by Vite from src/web into dist/web) from the team server itself: no CDN,
 * no inline script, and a strict Content-Security-Policy on every response. The UI speaks only to /api.
 *
 *   GET /            index.html (the single page; views are hash-routed: /#/cases/ID)
 *   GET /assets/*    the hashed bundles, cached for a year
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The built UI, beside the compiled server (dist/server → dist/web) or from the sources (src/server → dist/web). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** The API answers only JSON, text or files: nothing in it may run, load anything or be framed. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The UI: its own scripts and styles only (no inline script or style element, no eval), XHR/fetch to
 * itself, images only from itself or data: (the charts' canvas exports), no plugins, no framing, and
 * Trusted Types required so a stray innerHTML assignment throws instead of parsing markup.
 */
export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  'trusted-types vigil',
].join('; ');

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Vigil</title>
<p>The web UI is not built. Run <code>npm run build</code> (or <code>npm ci</code>), then reload. The API is at <a href="/api/openapi.json">/api</a>.</p>`;

export async function registerWebRoutes(
  app: FastifyInstance,
  webDir: string = DEFAULT_WEB_DIR,
): Promise<void> {
  const built = existsSync(`${webDir}/index.html`);
  await app.register(fastifyStatic, {
    root: webDir,
    serve: false,
    // Dot-files, directory listings and anything outside root are refused by @fastify/static itself.
    dotfiles: 'deny',
    index: false,
    list: false,
    cacheControl: false,
    etag: true,
    lastModified: false,
  });
  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    if (!built) return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  });
  app.get<{ Params: { '*': string } }>(
    '/assets/*',
    { config: { access: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      const name = request.params['*'];
      // Vite names every asset after its content hash: plain names only, nothing to resolve.
      if (!/^[A-Za-z0-9._-]{1,200}$/.test(name) || name.startsWith('.'))
        return reply.status(404).send({ error: 'not-found', message: 'no such asset' });
      reply.header('cache-control', 'public, max-age=31536000, immutable');
      return reply.sendFile(`assets/${name}`);
    },
  );
}
