// Browser tests' shared parts: Debian's Chromium through playwright-core (skipped loudly without it, a
// failure under CI=true), a Vigil server listening on loopback with a fresh SQLite store, and an SMTP relay.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DEFAULT_WEB_DIR } from '../../src/server/web.js';
import { startTestServer, type TestServer } from '../server/support.js';
import type { ServerOptions } from '../../src/server/app.js';
export { relay, type Relay } from '../helpers/smtp-relay.js';

export const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(import.meta.dirname, '../../docs/screenshots');

const WEB_SOURCES = join(import.meta.dirname, '../../src/web');

function newestChange(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestChange(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Why the browser tests cannot run here, or null. */
export function browserProblem(): string | null {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
  const built = join(DEFAULT_WEB_DIR, 'index.html');
  if (!existsSync(built)) return `the web UI is not built in ${DEFAULT_WEB_DIR} (npm run build)`;
  // A build older than the sources would test yesterday's UI and fail on today's test.
  if (newestChange(WEB_SOURCES) > statSync(built).mtimeMs)
    return `the built UI in ${DEFAULT_WEB_DIR} is older than src/web (npm run build:web)`;
  return null;
}

/** Registers the suite's tests, or one loud skip (a failure under CI=true) when the browser or the build is missing. */
export function browserTest(name: string, body: () => Promise<void>): void {
  const problem = browserProblem();
  if (problem === null) {
    test(name, { timeout: 90_000 }, body);
    return;
  }
  if (process.env.CI === 'true')
    test(name, () => assert.fail(`browser tests need Chromium and the built UI: ${problem}`));
  else {
    console.warn(`\n*** SKIPPED: ${name}: ${problem}: the web UI is NOT tested in a browser ***\n`);
    test(name, { skip: problem }, () => undefined);
  }
}

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Dialogs (alert, confirm, prompt) the page opened: none may, in any test. */
  readonly dialogs: string[];
  /** Uncaught page errors. */
  readonly errors: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'vigil-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 720 },
    acceptDownloads: true,
  });
  // Before any page script: record every CSP violation the page reports (the init script itself runs
  // outside the page's CSP).
  await context.addInitScript({
    content: `window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__violations.push(e.violatedDirective + ': ' + e.blockedURI + ' ' + e.sample));`,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    context,
    page,
    dialogs,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function violations(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('window.__violations');
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

export interface LiveServer extends TestServer {
  readonly url: string;
}

/** A Vigil server listening on a free loopback port, running ingest jobs. */
export async function liveServer(
  options: Omit<Partial<ServerOptions>, 'store' | 'storeUrl'>,
): Promise<LiveServer> {
  const t = await startTestServer({ runJobs: true, ...options });
  await t.server.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { ...t, url: `http://127.0.0.1:${port}` };
}

export async function waitFor<T>(
  what: () => T | undefined | Promise<T | undefined>,
  ms = 20_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const got = await what();
    if (got !== undefined) return got;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Signs in through the sign-in form. */
export async function signInAs(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
