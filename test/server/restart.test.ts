// kill -9 during an ingest: the real `vigil serve` in a child process is killed while its job runs;
// started again, it runs the job to the end, and every event is stored exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event } from '../../src/core/event.js';
import { walkEvidence } from '../../src/ingest/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { corpusMissing, SHARED_DATA } from '../helpers/shared-data.js';
import { multipart, PASSWORD } from './support.js';

const ROOT = join(import.meta.dirname, '../..');
const SAMPLES = join(SHARED_DATA, 'evtx-attack-samples');
const skip = corpusMissing('evtx-attack-samples');

function evtxFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) evtxFiles(path, out);
    else if (name.endsWith('.evtx')) out.push(path);
  }
  return out;
}

function serve(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'test/helpers/run-cli.ts',
      'serve',
      '--port',
      '0',
      '--data',
      dataDir,
      '--rules',
      join(SHARED_DATA, 'sigma', 'rules', 'windows'),
    ],
    { cwd: ROOT, env: { ...process.env, VIGIL_ADMIN_PASSWORD: PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving (http:\/\/[^\s]+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`vigil serve exited ${code}: ${out}`)));
  });
}

async function signIn(url: string): Promise<Record<string, string>> {
  const r = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  const cookie = r.headers
    .getSetCookie()
    .find((c) => c.startsWith('vigil_session='))!
    .split(';')[0]!;
  const { csrfToken } = (await r.json()) as { csrfToken: string };
  return { cookie, 'x-csrf-token': csrfToken };
}

const jobOf = async (url: string, auth: Record<string, string>, id: string) =>
  (await (await fetch(`${url}/api/jobs/${id}`, { headers: auth })).json()) as {
    status: string;
    records: number;
  };

test(
  'kill -9 during an ingest, restart: the job runs again to the end and nothing is stored twice',
  { skip },
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-restart-'));
    const files = evtxFiles(SAMPLES)
      .sort((a, b) => statSync(b).size - statSync(a).size)
      .slice(0, 60);
    try {
      const first = await serve(dataDir);
      const auth = await signIn(first.url);
      const { body, contentType } = multipart(
        files.map((f) => ({ name: f.split('/').pop()!, content: readFileSync(f) })),
      );
      const upload = await fetch(`${first.url}/api/evidence`, {
        method: 'POST',
        headers: { ...auth, 'content-type': contentType },
        body,
      });
      assert.equal(upload.status, 202);
      const { id } = (await upload.json()) as { id: string };
      // Kill it as soon as the job has stored its first batch.
      for (let i = 0; i < 600; i++) {
        const job = await jobOf(first.url, auth, id);
        if (job.status === 'running' && job.records > 0) break;
        assert.notEqual(job.status, 'done', 'the job ended before it could be killed');
        await new Promise((r) => setTimeout(r, 50));
      }
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
      const between = new SqliteStore(join(dataDir, 'vigil.db'));
      assert.equal((await between.jobs.get(id))?.status, 'running', 'cut off mid-job');
      const partial = await between.events.count();
      assert.ok(partial > 0);
      await between.close();

      const second = await serve(dataDir);
      try {
        const auth2 = await signIn(second.url);
        let job = await jobOf(second.url, auth2, id);
        for (let i = 0; i < 1200 && job.status !== 'done' && job.status !== 'failed'; i++) {
          await new Promise((r) => setTimeout(r, 100));
          job = await jobOf(second.url, auth2, id);
        }
        assert.equal(job.status, 'done');
      } finally {
        second.child.kill('SIGTERM');
        await new Promise((r) => second.child.once('exit', r));
      }
      // What an uninterrupted ingest of the same files stores, counted independently.
      const reference = new SqliteStore(':memory:');
      const saved = readdirSync(join(dataDir, 'evidence')).flatMap((d) =>
        readdirSync(join(dataDir, 'evidence', d)).map((f) => join(dataDir, 'evidence', d, f)),
      );
      for await (const item of walkEvidence(saved)) {
        if (item.file === null) continue;
        const batch: Event[] = [];
        for await (const r of item.records) if (r.ok) batch.push(r.event);
        await reference.events.add(batch);
      }
      const after = new SqliteStore(join(dataDir, 'vigil.db'));
      assert.equal(await after.events.count(), await reference.events.count());
      assert.ok((await after.detections.count()) > 0);
      await after.close();
      await reference.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
