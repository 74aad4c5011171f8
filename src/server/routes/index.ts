/** Every route of the API, registered in one place (the authorisation matrix test lists them all). */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { registerAccountRoutes } from './accounts.js';
import { registerAdvisoryRoutes } from './advisories.js';
import { registerCaseRoutes } from './cases.js';
import { registerNotificationRoutes } from './notifications.js';
import { registerConstituencyRoutes } from './constituency.js';
import { registerDataRoutes } from './data.js';
import { registerEvidenceRoutes } from './evidence.js';
import { registerRuleRoutes } from './rules.js';

export function registerRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/api/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['server'],
        summary: 'Liveness and the store schema version',
        response: {
          200: { type: 'object', properties: { ok: { type: 'boolean' }, schema: { type: 'integer' } } },
        },
      },
    },
    async () => ({ ok: true, schema: await ctx.store.schemaVersion() }),
  );
  registerAccountRoutes(app, ctx);
  registerEvidenceRoutes(app, ctx);
  registerDataRoutes(app, ctx);
  registerRuleRoutes(app, ctx);
  registerCaseRoutes(app, ctx);
  registerNotificationRoutes(app, ctx);
  registerConstituencyRoutes(app, ctx);
  registerAdvisoryRoutes(app, ctx);
}
