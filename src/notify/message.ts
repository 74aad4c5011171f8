/**
 * One notification as it will be sent: subject with the ticket tag and TLP, text and HTML bodies,
 * the observables as CSV (and as an X-ARF v4 report for abuse desks). A case above the recipient's
 * TLP clearance is refused, never trimmed: nothing above it may leave.
 */
import { randomUUID } from 'node:crypto';
import { tlpAllows, type Tlp } from '../core/tlp.js';
import { chooseTemplate, render, textToHtml, type Template } from './templates.js';

export interface Recipient {
  readonly email: string;
  readonly name: string | null;
  readonly language: string;
  readonly tlpClearance: Tlp;
  /** `x-arf` adds the machine-readable abuse report. */
  readonly format: 'email' | 'x-arf';
  /** constituent, hosting, cloud, registrar, app-store, cert … */
  readonly partyKind: string;
}

export interface NotificationInput {
  readonly ticket: string;
  readonly tlp: Tlp;
  readonly title: string;
  readonly summary: string;
  readonly rsitType: string | null;
  readonly reason: string;
  readonly observables: readonly { readonly type: string; readonly value: string }[];
  readonly team: { readonly name: string; readonly email: string; readonly domain: string };
  readonly recipient: Recipient;
}

export interface Attachment {
  readonly filename: string;
  readonly contentType: string;
  readonly content: string;
}

export interface ComposedMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachments: readonly Attachment[];
  readonly templateId: string;
}

export type Composition =
  { readonly ok: true; readonly message: ComposedMessage } | { readonly ok: false; readonly reason: string };

/** One CSV field: quoted when it must be, and never read as a formula by a spreadsheet. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function observablesCsv(observables: NotificationInput['observables']): string {
  return (
    ['type,value', ...observables.map((o) => `${csvField(o.type)},${csvField(o.value)}`)].join('\r\n') +
    '\r\n'
  );
}

/** RSIT types → X-ARF v4 category and type. */
const XARF_TYPES: Record<string, readonly [string, string]> = {
  'infected-system': ['connection', 'infected_host'],
  'c2-server': ['infrastructure', 'botnet'],
  'system-compromise': ['infrastructure', 'compromised_server'],
  'application-compromise': ['infrastructure', 'compromised_server'],
  spam: ['messaging', 'spam'],
  ddos: ['connection', 'ddos'],
  scanner: ['connection', 'port_scan'],
  'brute-force': ['connection', 'login_attack'],
  'vulnerable-system': ['vulnerability', 'open_service'],
};

/** X-ARF v4 reports, one per address or domain observable. */
export function xarfReports(input: NotificationInput, now = new Date()): object[] {
  const [category, type] = XARF_TYPES[input.rsitType ?? ''] ?? ['infrastructure', 'compromised_server'];
  const party = { org: input.team.name, contact: input.team.email, domain: input.team.domain };
  return input.observables
    .filter((o) => ['ipv4', 'ipv6', 'domain', 'url'].includes(o.type))
    .map((o) => ({
      xarf_version: '4.2.0',
      report_id: randomUUID(),
      timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      reporter: party,
      sender: party,
      source_identifier: o.value,
      category,
      type,
      evidence_source: 'incident_investigation',
      description: `${input.ticket}: ${input.title}`,
      tags: [`tlp:${input.tlp.toLowerCase()}`, `ticket:${input.ticket.toLowerCase()}`],
    }));
}

export function compose(input: NotificationInput, templates: readonly Template[]): Composition {
  const r = input.recipient;
  if (!tlpAllows(r.tlpClearance, input.tlp))
    return {
      ok: false,
      reason: `the case is TLP:${input.tlp}, above what ${r.email} is cleared for (TLP:${r.tlpClearance})`,
    };
  const template = chooseTemplate(templates, input.rsitType, r.language);
  const values = {
    ticket: `[${input.ticket}]`,
    tlp: `TLP:${input.tlp}`,
    title: input.title,
    summary: input.summary,
    reason: input.reason,
    recipient: r.name ?? r.email,
    observables:
      input.observables.length > 0
        ? input.observables.map((o) => `  ${o.type}: ${o.value}`).join('\n')
        : '  (none)',
    team: input.team.name,
    team_email: input.team.email,
  };
  // Subjects are one line, whatever the title holds.
  const subjectLine = render(template.subject, values)
    .replace(/[\r\n]+/g, ' ')
    .slice(0, 200);
  const text = `TLP:${input.tlp}\n\n${render(template.text, values)}\n`;
  const attachments: Attachment[] = [];
  if (input.observables.length > 0)
    attachments.push({
      filename: 'observables.csv',
      contentType: 'text/csv; charset=utf-8',
      content: observablesCsv(input.observables),
    });
  if (r.format === 'x-arf') {
    const reports = xarfReports(input);
    if (reports.length > 0)
      attachments.push({
        filename: 'x-arf.json',
        contentType: 'application/json',
        content: `${JSON.stringify(reports, null, 2)}\n`,
      });
  }
  return {
    ok: true,
    message: {
      subject: `[${input.ticket}] [TLP:${input.tlp}] ${subjectLine}`,
      text,
      html: textToHtml(text),
      attachments,
      templateId: template.id,
    },
  };
}
