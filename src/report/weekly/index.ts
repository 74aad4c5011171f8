/** The weekly report: its model (every figure with query and case ids) and its HTML, Markdown, JSON and PDF forms. */
import { weeklyHtml } from './html.js';
import { weeklyMarkdown } from './markdown.js';
import type { WeeklyReport } from './model.js';
import { htmlToPdf, type PdfOptions } from './pdf.js';

export * from './inputs.js';
export * from './model.js';
export { weeklyHtml } from './html.js';
export { weeklyMarkdown } from './markdown.js';
export { chromiumAvailable, htmlToPdf, type PdfLabels, type PdfOptions } from './pdf.js';
export { NameScrubber, REDACTED, withinTlp } from './tlp.js';
export { lastCompleteWeek, previousWeek, weekOf, weekPeriod } from './week.js';

export const WEEKLY_FORMATS = ['html', 'md', 'json', 'pdf'] as const;
export type WeeklyFormat = (typeof WEEKLY_FORMATS)[number];

export const CONTENT_TYPES: Readonly<Record<WeeklyFormat, string>> = {
  html: 'text/html; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  json: 'application/json; charset=utf-8',
  pdf: 'application/pdf',
};

export async function renderWeekly(
  report: WeeklyReport,
  format: WeeklyFormat,
  pdf: PdfOptions = {},
): Promise<string | Buffer> {
  switch (format) {
    case 'html':
      return weeklyHtml(report);
    case 'md':
      return weeklyMarkdown(report);
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
    case 'pdf':
      return htmlToPdf(weeklyHtml(report), pdf, { tlp: report.tlp, title: `Weekly report ${report.week}` });
  }
}
