/**
 * HTML → PDF through Chromium's own print-to-PDF (playwright-core drives a Chromium installed on the
 * machine; nothing is downloaded). The page gets the report's self-contained HTML and no network:
 * every request it tries is aborted. A fresh profile folder per run, removed afterwards.
 */
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilError } from '../../core/errors.js';
import { escapeHtml } from '../incident.js';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** What every page carries: the TLP label at the top (TLP 2.0 asks for it on each page) and the title with page numbers below. */
export interface PdfLabels {
  readonly tlp: string;
  readonly title: string;
}

export interface PdfOptions {
  /** Default: $VIGIL_CHROMIUM, then /usr/bin/chromium. */
  readonly executablePath?: string;
  readonly timeoutMs?: number;
}

export function chromiumPath(options: PdfOptions = {}): string {
  return options.executablePath ?? process.env['VIGIL_CHROMIUM'] ?? DEFAULT_CHROMIUM;
}

export async function chromiumAvailable(options: PdfOptions = {}): Promise<boolean> {
  try {
    await access(chromiumPath(options));
    return true;
  } catch {
    return false;
  }
}

const TLP_COLOUR: Readonly<Record<string, string>> = {
  CLEAR: '#ffffff',
  GREEN: '#33ff00',
  AMBER: '#ffc000',
  'AMBER+STRICT': '#ffc000',
  RED: '#ff2b2b',
};

function pageTemplates(labels: PdfLabels): { headerTemplate: string; footerTemplate: string } {
  const style = 'font:9px system-ui,sans-serif;width:100%;padding:0 12mm;-webkit-print-color-adjust:exact';
  const colour = TLP_COLOUR[labels.tlp] ?? '#ffffff';
  return {
    headerTemplate: `<div style="${style};text-align:right"><span style="background:#000;color:${colour};padding:1px 6px;font-family:monospace;font-weight:bold">TLP:${escapeHtml(labels.tlp)}</span></div>`,
    footerTemplate: `<div style="${style};display:flex;justify-content:space-between;color:#555"><span>${escapeHtml(labels.title)} · TLP:${escapeHtml(labels.tlp)}</span><span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
  };
}

export async function htmlToPdf(html: string, options: PdfOptions = {}, labels?: PdfLabels): Promise<Buffer> {
  const executablePath = chromiumPath(options);
  if (!(await chromiumAvailable(options)))
    throw new VigilError(
      'report.pdf.no-chromium',
      `PDF needs Chromium at ${executablePath} (install Debian's chromium package, or set VIGIL_CHROMIUM to its path); html, md and json need no browser`,
    );
  const { chromium } = await import('playwright-core');
  const profile = await mkdtemp(join(tmpdir(), 'vigil-pdf-'));
  const timeout = options.timeoutMs ?? 60_000;
  try {
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: ARGS,
      timeout,
      offline: true,
    });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load', timeout });
      return await page.pdf({
        format: 'A4',
        printBackground: true,
        margin: { top: '16mm', bottom: '16mm', left: '12mm', right: '12mm' },
        ...(labels ? { displayHeaderFooter: true, ...pageTemplates(labels) } : {}),
      });
    } finally {
      await browser.close();
    }
  } catch (e) {
    if (e instanceof VigilError) throw e;
    throw new VigilError(
      'report.pdf.failed',
      `Chromium could not print the report: ${(e as Error).message.split('\n')[0]}`,
    );
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
