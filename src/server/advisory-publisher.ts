/**
 * Publishing one of our advisories: its CSAF 2.0 document (refused unless it passes the schema and every
 * mandatory test), the constituents whose inventory it affects (the matcher over their software), and an
 * e-mail to each of their contacts through the notification machinery (the Notifier's SMTP sender and the
 * notifications store, so every message has its history). TLP: nothing goes out above what the constituents'
 * contacts are cleared for (`clearance`, AMBER+STRICT by default: TLP:RED advisories are never e-mailed), and
 * every message is marked with its label.
 *
 * Exactly once: the advisory is moved to published (a conditional update on its status, so of two requests at the
 * same time one wins) before any e-mail is sent; the loser is refused and sends nothing. The recipients are
 * recorded when the sending is done. A crash in between leaves a published advisory whose notifications show
 * which messages went out.
 */
import { tlpAllows, type Tlp } from '../core/tlp.js';
import { csafToAdvisory } from '../advisories/csaf/advisory.js';
import { validateCsaf } from '../advisories/csaf/validate.js';
import { InventoryIndex, type Match } from '../advisories/matching/matcher.js';
import { toCsaf, type Publisher } from '../advisories/own/csaf.js';
import { advisoryHtml } from '../advisories/own/html.js';
import { productSeverity, type OwnAdvisory } from '../advisories/own/model.js';
import { transitionProblem } from '../advisories/own/workflow.js';
import type { Store } from '../store/index.js';
import type { Notifier } from './notifier.js';

export interface PublishOptions {
  readonly publisher: Publisher;
  /** What the constituents' contacts are cleared for (default AMBER+STRICT). */
  readonly clearance?: Tlp;
}

export interface Delivery {
  readonly organisationId: string;
  readonly recipient: string;
  readonly ok: boolean;
  readonly reason?: string;
}

export type PublishResult =
  | { readonly ok: true; readonly advisory: OwnAdvisory; readonly matches: readonly Match[]; readonly deliveries: readonly Delivery[] }
  | { readonly ok: false; readonly status: 409 | 422; readonly reason: string; readonly findings?: readonly unknown[] };

/** The constituents (and entries) an advisory's CSAF document affects, from the stored inventories. */
export async function affectedBy(store: Store, csaf: unknown): Promise<Match[]> {
  const index = new InventoryIndex(await store.advisories.software());
  return index.match(csafToAdvisory(csaf)).filter((m) => m.status === 'affected');
}

function mailText(a: OwnAdvisory, matches: readonly Match[], team: string): string {
  const lines = [
    `TLP:${a.tlp}`,
    '',
    `${a.id}: ${a.title}`,
    '',
    a.summary,
    '',
    'Your organisation runs affected software:',
    ...matches.map((m) => `- ${m.product.vendor} ${m.product.product} ${m.product.version} (${m.versions})`),
    '',
    'Affected products:',
    ...a.products.map((p) => {
      const s = productSeverity(p);
      return `- ${p.vendor} ${p.product} ${p.versions.length > 0 ? p.versions.join(', ') : (p.range ?? 'all versions')}: ${s.severity}${s.cvss === null ? '' : ` (CVSS ${s.cvss})`}`;
    }),
    ...(a.cves.length > 0 ? ['', `CVE: ${a.cves.join(', ')}`] : []),
    '',
    'What to do:',
    a.remediation,
    '',
    `The advisory as CSAF 2.0 is attached. ${team}`,
  ];
  return lines.join('\n');
}

export async function publishAdvisory(store: Store, notifier: Notifier, id: string, actor: string, options: PublishOptions, now = Date.now()): Promise<PublishResult> {
  const current = await store.advisories.getOwn(id);
  if (!current) return { ok: false, status: 409, reason: 'no such advisory' };
  const problem = transitionProblem(current, 'publish', actor);
  if (problem) return { ok: false, status: 409, reason: problem };
  const draft: OwnAdvisory = { ...current, publishedAt: now };
  const csaf = toCsaf(draft, options.publisher, now);
  const check = validateCsaf(csaf);
  if (!check.valid) return { ok: false, status: 422, reason: 'the CSAF document does not validate', findings: [...check.schema, ...check.tests] };

  const matches = await affectedBy(store, csaf);
  const byOrg = new Map<string, Match[]>();
  for (const m of matches) byOrg.set(m.organisationId, [...(byOrg.get(m.organisationId) ?? []), m]);

  const claimed = await store.advisories.move(
    id,
    'published',
    { at: now, actor, action: 'published', note: `e-mailing ${byOrg.size} affected organisations` },
    { reviewedBy: actor, publishedAt: now, csaf, organisationIds: [] },
  );
  if (!claimed) return { ok: false, status: 409, reason: 'the advisory is already being published, or changed meanwhile' };

  const clearance = options.clearance ?? 'AMBER+STRICT';
  const html = advisoryHtml(draft, options.publisher.name);
  const deliveries: Delivery[] = [];
  for (const [organisationId, orgMatches] of byOrg) {
    const organisation = await store.constituency.getOrganisation(organisationId);
    const contacts = organisation?.contacts ?? [];
    if (contacts.length === 0) deliveries.push({ organisationId, recipient: '', ok: false, reason: 'no contact on record' });
    for (const contact of contacts) {
      const record = await store.notifications.create({
        caseId: `advisory:${id}`,
        recipient: contact.email,
        recipientName: contact.name ?? null,
        partyKind: 'constituent',
        language: contact.language ?? 'en',
        subject: `[TLP:${draft.tlp}] ${id}: ${draft.title}`,
        templateId: 'advisory',
      });
      const refuse = async (reason: string): Promise<void> => {
        await store.notifications.record(record.id, { at: Date.now(), status: 'failed', note: reason });
        deliveries.push({ organisationId, recipient: contact.email, ok: false, reason });
      };
      if (!tlpAllows(clearance, draft.tlp)) {
        await refuse(`TLP:${draft.tlp} is above what constituent contacts are cleared for (${clearance}): not e-mailed`);
        continue;
      }
      if (!notifier.sender) {
        await refuse('no SMTP server configured');
        continue;
      }
      try {
        const { messageId } = await notifier.sender.send({
          to: contact.email,
          message: {
            subject: `[TLP:${draft.tlp}] ${id}: ${draft.title}`,
            text: mailText(draft, orgMatches, notifier.team.name),
            html,
            attachments: [{ filename: `${id.toLowerCase()}.json`, contentType: 'application/json', content: JSON.stringify(csaf, null, 2) }],
            templateId: 'advisory',
          },
        });
        const at = Date.now();
        await store.notifications.record(record.id, { at, status: 'sent', note: `advisory ${id} by ${actor}` }, { messageId, sentAt: at });
        deliveries.push({ organisationId, recipient: contact.email, ok: true });
      } catch (error) {
        await refuse((error as Error).message);
      }
    }
  }
  const sentTo = [...new Set(deliveries.filter((d) => d.ok).map((d) => d.organisationId))].sort();
  const published = await store.advisories.setRecipients(id, sentTo, `${sentTo.length} of ${byOrg.size} affected organisations e-mailed`);
  return { ok: true, advisory: published ?? claimed, matches, deliveries };
}
