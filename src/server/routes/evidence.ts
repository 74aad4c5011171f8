/** Evidence uploads and the ingest jobs they start: status, a live progress stream, cancel and rerun. */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import type { IngestJob } from '../../store/index.js';
import type { ServerContext } from '../context.js';
import { badRequest, HttpError, notFound } from '../errors.js';
import { errors, idParams, jobSchema, limitQuery } from './schemas.js';

/**
 * A file name from a client as a plain name in one folder: no directories, no dot-files, no control
 * or reserved characters, bounded length. Nothing the client sends can point outside the job folder.
 */
export function safeFileName(name: string, index: number): string {
  const base = basename(name.replace(/\\/g, '/'))
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, '_')
    .replace(/^[.\s]+/, '')
    .slice(0, 120);
  return `${String(index).padStart(3, '0')}-${base || 'upload'}`;
}

const TERMINAL = new Set<IngestJob['status']>(['done', 'failed', 'cancelled']);

export function registerEvidenceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store, jobs } = ctx;
  const evidenceDir = join(ctx.options.dataDir, 'evidence');

  app.post(
    '/api/evidence',
    {
      config: { access: { permission: 'evidence:upload' } },
      schema: {
        tags: ['evidence'],
        summary: 'Upload evidence files or a .zip (multipart/form-data); starts an ingest job',
        consumes: ['multipart/form-data'],
        response: { 202: jobSchema, ...errors, 413: errors[400], 415: errors[400] },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart())
        throw new HttpError(415, 'multipart-required', 'send the files as multipart/form-data');
      const folder = join(evidenceDir, randomUUID());
      await mkdir(folder, { recursive: true });
      const saved: string[] = [];
      try {
        let index = 0;
        for await (const part of request.files()) {
          const target = join(folder, safeFileName(part.filename, index++));
          await pipeline(part.file, createWriteStream(target, { flags: 'wx' }));
          // busboy stops at the limit and flags the part instead of failing the stream.
          if (part.file.truncated)
            throw new HttpError(
              413,
              'file-too-large',
              `${basename(part.filename)} is larger than the upload limit`,
            );
          saved.push(target);
        }
      } catch (error) {
        await rm(folder, { recursive: true, force: true });
        if (error instanceof HttpError) throw error;
        const code = (error as { code?: string }).code;
        if (code === 'FST_REQ_FILE_TOO_LARGE')
          throw new HttpError(413, 'file-too-large', 'a file is larger than the upload limit');
        if (code?.startsWith('FST_')) throw badRequest('upload-invalid', (error as Error).message);
        throw error;
      }
      if (saved.length === 0) {
        await rm(folder, { recursive: true, force: true });
        throw badRequest('no-files', 'the upload holds no files');
      }
      const job = await store.jobs.create(saved);
      await ctx.audit(request, 'evidence.uploaded', `job:${job.id}`, null, {
        files: saved.map((f) => basename(f)),
      });
      jobs.enqueue();
      return reply.status(202).send(job);
    },
  );

  app.get<{ Querystring: { limit?: number } }>(
    '/api/jobs',
    {
      config: { access: { permission: 'jobs:read' } },
      schema: {
        tags: ['evidence'],
        summary: 'Ingest jobs, newest first',
        querystring: { type: 'object', properties: { limit: limitQuery }, additionalProperties: false },
        response: { 200: { type: 'array', items: jobSchema }, ...errors },
      },
    },
    (request) => store.jobs.list(request.query.limit ?? 100),
  );

  const job = async (id: string): Promise<IngestJob> => {
    const found = await store.jobs.get(id);
    if (!found) throw notFound('ingest job');
    return found;
  };

  app.get<{ Params: { id: string } }>(
    '/api/jobs/:id',
    {
      config: { access: { permission: 'jobs:read' } },
      schema: {
        tags: ['evidence'],
        summary: 'One ingest job: status, counts, issues',
        params: idParams,
        response: { 200: jobSchema, ...errors },
      },
    },
    (request) => job(request.params.id),
  );

  app.get<{ Params: { id: string } }>(
    '/api/jobs/:id/progress',
    {
      config: { access: { permission: 'jobs:read' } },
      schema: {
        tags: ['evidence'],
        summary: 'Server-sent events: the job as it moves, until it ends',
        params: idParams,
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      let current = await job(request.params.id);
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-content-type-options': 'nosniff',
      });
      const send = (j: IngestJob): void => {
        reply.raw.write(`event: job\ndata: ${JSON.stringify(j)}\n\n`);
      };
      send(current);
      if (TERMINAL.has(current.status)) {
        reply.raw.end();
        return reply;
      }
      await new Promise<void>((resolve) => {
        let busy = false;
        const onChange = async (id: string): Promise<void> => {
          if (id !== current.id || busy) return;
          busy = true;
          try {
            current = (await store.jobs.get(id)) ?? current;
            send(current);
            if (TERMINAL.has(current.status)) finish();
          } finally {
            busy = false;
          }
        };
        const listener = (id: string): void => void onChange(id);
        // The worker reports every batch; a timer also catches changes made by another process.
        const timer = setInterval(() => void onChange(current.id), 1000);
        const finish = (): void => {
          clearInterval(timer);
          jobs.events.off('change', listener);
          reply.raw.end();
          resolve();
        };
        jobs.events.on('change', listener);
        request.raw.on('close', finish);
      });
      return reply;
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/jobs/:id/cancel',
    {
      config: { access: { permission: 'jobs:control' } },
      schema: {
        tags: ['evidence'],
        summary: 'Cancel a queued or running job',
        params: idParams,
        response: { 200: jobSchema, ...errors, 409: errors[400] },
      },
    },
    async (request) => {
      const before = await job(request.params.id);
      if (TERMINAL.has(before.status))
        throw new HttpError(409, 'job-ended', `the job is already ${before.status}`);
      const after = await jobs.cancel(before);
      await ctx.audit(
        request,
        'job.cancel',
        `job:${before.id}`,
        { status: before.status },
        { status: after.status },
      );
      return after;
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/jobs/:id/rerun',
    {
      config: { access: { permission: 'jobs:control' } },
      schema: {
        tags: ['evidence'],
        summary: 'Run an ended job again (stores nothing twice)',
        params: idParams,
        response: { 200: jobSchema, ...errors, 409: errors[400] },
      },
    },
    async (request) => {
      const before = await job(request.params.id);
      if (!TERMINAL.has(before.status)) throw new HttpError(409, 'job-active', `the job is ${before.status}`);
      const after = await jobs.rerun(before);
      await ctx.audit(
        request,
        'job.rerun',
        `job:${before.id}`,
        { status: before.status },
        { status: after.status },
      );
      return after;
    },
  );
}
