/** `vigil serve`: the team server on the embedded store (or PostgreSQL), with the API at /api. */
import { loadIntakeSettings } from '../../server/feeds/config.js';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createServer } from '../../server/app.js';
import { ensureAdmin } from '../../server/bootstrap.js';
import { openStore } from '../../store/index.js';
import { VigilError } from '../../core/errors.js';
import type { SmtpOptions } from '../../notify/smtp.js';
import type { SetExit } from '../exit.js';
import { isTlp, TLP_LEVELS, type Tlp } from '../../core/tlp.js';
import { offsetOf, type WeeklyScheduleOptions } from '../../server/reports/schedule.js';
import { defaultRulePaths, DEFAULT_DATA_DIR } from '../rules-dir.js';

interface ServeOptions {
  host: string;
  port: string;
  data: string;
  db?: string;
  rules?: string[];
  indicators?: string[];
  homeCountry: string;
  demo?: string;
  maxUploadMb: string;
  smtp?: string;
  smtpFrom?: string;
  smtpListen?: string;
  mailDir?: string;
  team?: string;
  weeklyReport: boolean;
  weeklyReportDay: string;
  weeklyReportHour: string;
  weeklyReportTlp: string[];
  feeds?: string;
}

export function registerServe(program: Command, setExit: SetExit): void {
  program
    .command('serve')
    .description('run the team server: evidence upload, search, incidents, rules, accounts (API at /api)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port', '8080')
    .option('--data <dir>', 'data folder: the SQLite store, uploads, rule cache', DEFAULT_DATA_DIR)
    .option('--db <url>', 'store: a SQLite file or postgres:// URL (default: VIGIL_DB or <data>/vigil.db)')
    .option('-r, --rules <dir...>', 'rule pack (default: VIGIL_RULES, the installed pack, ../shared SigmaHQ)')
    .option('-i, --indicators <file...>', 'indicator lists applied to every ingest')
    .option('--home-country <code>', "the CERT's country", 'CN')
    .option('--demo <dir>', 'on a new, empty store, ingest this evidence folder first')
    .option('--max-upload-mb <n>', 'largest upload accepted', '2048')
    .option(
      '--smtp <url>',
      'send notifications through this SMTP server (smtp://user:pass@host:port, smtps://…)',
    )
    .option('--smtp-from <address>', "the team's address: From of every notification", 'cert@localhost')
    .option('--smtp-listen <port>', 'take replies and bounces by SMTP on this port (same host as --host)')
    .option('--mail-dir <dir>', 'take replies and bounces from this Maildir (or folder of .eml files)')
    .option('--team <name>', "the team's name in notifications", 'Vigil CERT')
    .option('--no-weekly-report', 'do not write the weekly report into the archive each week')
    .option('--weekly-report-day <1-7>', 'weekday the weekly report is written (1 = Monday), UTC', '1')
    .option('--weekly-report-hour <0-23>', 'hour the weekly report is written, UTC', '0')
    .option('--weekly-report-tlp <tlp...>', 'the TLPs of the weekly report kept each week', [
      'CLEAR',
      'AMBER',
    ])
    .option('--feeds <file>', 'feed intake configuration: feeds to pull, folders to watch, abuse mail, digests (docs/feeds.md)')
    .action(async (options: ServeOptions) => {
      setExit(await serve(options));
    });
}

function smtpOptions(url: string, from: string, team: string | undefined): SmtpOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new VigilError('serve.smtp.invalid', `--smtp wants smtp://host:port, got "${url}"`);
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:')
    throw new VigilError('serve.smtp.invalid', `--smtp wants smtp:// or smtps://, got "${url}"`);
  const secure = parsed.protocol === 'smtps:';
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 25,
    secure,
    ...(parsed.username
      ? { auth: { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } }
      : {}),
    from,
    ...(team ? { fromName: team } : {}),
  };
}

function weeklySchedule(options: ServeOptions): WeeklyScheduleOptions {
  const tlps = options.weeklyReportTlp.map((t) => t.toUpperCase());
  for (const t of tlps)
    if (!isTlp(t))
      throw new VigilError(
        'serve.weekly.tlp',
        `--weekly-report-tlp: "${t}" is not a TLP (${TLP_LEVELS.join(', ')})`,
      );
  const schedule = {
    tlps: tlps as Tlp[],
    weekday: Number(options.weeklyReportDay),
    hour: Number(options.weeklyReportHour),
  };
  try {
    offsetOf(schedule);
  } catch (e) {
    throw new VigilError('serve.weekly.time', (e as Error).message);
  }
  return schedule;
}

async function serve(options: ServeOptions): Promise<number> {
  const dataDir = resolve(options.data);
  const storeUrl = options.db ?? process.env.VIGIL_DB;
  const store = await openStore(storeUrl, dataDir);
  const admin = await ensureAdmin(store);
  const server = await createServer({
    store,
    storeUrl,
    dataDir,
    rulePaths: options.rules ?? defaultRulePaths(),
    indicatorPaths: options.indicators ?? [],
    homeCountry: options.homeCountry,
    maxUploadBytes: Number(options.maxUploadMb) * 1024 * 1024,
    ...(options.smtp
      ? { smtp: smtpOptions(options.smtp, options.smtpFrom ?? 'cert@localhost', options.team) }
      : {}),
    team: {
      name: options.team ?? 'Vigil CERT',
      email: options.smtpFrom ?? 'cert@localhost',
      domain: (options.smtpFrom ?? 'cert@localhost').split('@')[1] ?? 'localhost',
    },
    ...(options.mailDir ? { mailDir: resolve(options.mailDir) } : {}),
    ...(options.feeds ? { feeds: loadIntakeSettings(resolve(options.feeds), options.homeCountry) } : {}),
    ...(options.smtpListen ? { smtpListen: { host: options.host, port: Number(options.smtpListen) } } : {}),
    ...(options.weeklyReport ? { weeklyReports: weeklySchedule(options) } : {}),
    logger: false,
  });
  if (options.demo && (await store.jobs.list(1)).length === 0) {
    const folder = resolve(options.demo);
    const files = (await readdir(folder)).sort().map((f) => join(folder, f));
    await store.jobs.create(files);
    server.context.jobs.enqueue();
    process.stdout.write(`ingesting the demo evidence in ${folder}\n`);
  }
  const address = await server.app.listen({ host: options.host, port: Number(options.port) });
  process.stdout.write(
    `Vigil is serving ${address} (API: ${address}/api, OpenAPI: ${address}/api/openapi.json)\n`,
  );
  if (admin?.oneTimePassword)
    process.stdout.write(
      `first start: sign in as "admin" with the one-time password ${admin.oneTimePassword}\n` +
        '(it must be changed at the first sign-in: POST /api/auth/password)\n',
    );
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server
        .close()
        .then(() => store.close())
        .finally(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
