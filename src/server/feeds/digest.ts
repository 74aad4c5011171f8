/**
 * Digests: for each intake case with events newer than its last digest, the new events' addresses,
 * domains and URLs become the case's observables, and one notification goes to the owner's contacts
 * (or the foreign CERT's) through the notification machinery — so CSV and X-ARF attachments, TLP
 * checks, ticket tags, reply tracking and reminders are the same as for any case.
 */
import { isIP } from 'node:net';
import { ENDED } from '../../cases/workflow.js';
import type { ObservableType } from '../../cases/observables.js';
import type { Contact } from '../../enrich/constituency/index.js';
import type { Recipient } from '../../notify/message.js';
import type { Store } from '../../store/index.js';
import type { Notifier } from '../notifier.js';

const MAX_OBSERVABLES = 5000;

export interface DigestResult {
  readonly caseId: string;
  readonly events: number;
  readonly sent: number;
  readonly failed: readonly string[];
}

function observablesOf(fields: Record<string, string | number | boolean>): { type: ObservableType; value: string }[] {
  const out: { type: ObservableType; value: string }[] = [];
  const ip = fields['source.ip'];
  if (typeof ip === 'string') out.push({ type: isIP(ip) === 6 ? 'ipv6' : 'ipv4', value: ip });
  const url = fields['source.url'];
  if (typeof url === 'string') out.push({ type: 'url', value: url });
  const fqdn = fields['source.fqdn'];
  if (typeof fqdn === 'string') out.push({ type: 'domain', value: fqdn });
  return out;
}

const recipient = (c: Contact, partyKind: string, format: 'email' | 'x-arf'): Recipient => ({
  email: c.email,
  name: c.name ?? null,
  language: c.language ?? 'en',
  // Constituents and peer CERTs are cleared for AMBER; the case's TLP is checked against it.
  tlpClearance: 'AMBER',
  format,
  partyKind,
});

export async function sendDigests(store: Store, notifier: Notifier, now = Date.now()): Promise<DigestResult[]> {
  const results: DigestResult[] = [];
  for (const ic of await store.intake.undigested()) {
    const c = await store.cases.get(ic.caseId);
    if (!c || ENDED.has(c.status)) {
      await store.intake.markDigested(ic.caseId, now);
      continue;
    }
    // By sequence, not by time: events stored during a long run carry the run's observation time,
    // older than a digest sent meanwhile. Beyond MAX_OBSERVABLES, the rest go in the next digest.
    const { events, lastSeq } = await store.intake.undigestedEvents(ic.caseId, MAX_OBSERVABLES);
    const seen = new Set<string>();
    for (const e of events)
      for (const o of observablesOf(e.fields)) {
        const key = `${o.type}:${o.value}`;
        if (seen.has(key)) continue;
        seen.add(key);
        await store.cases.addObservable({ caseId: c.id, type: o.type, value: o.value, detectionIds: [] });
      }
    let recipients: Recipient[] = [];
    if (ic.kind === 'constituent' && ic.organisation !== null) {
      const org = await store.constituency.getOrganisation(ic.organisation);
      recipients = (org?.contacts ?? []).slice(0, 5).map((x) => recipient(x, 'constituent', 'email'));
    } else if (ic.cert !== null) {
      const party = await store.constituency.getParty(ic.cert);
      recipients = (party?.contacts ?? []).slice(0, 5).map((x) => recipient(x, 'cert', party?.preferredFormat ?? 'x-arf'));
    }
    if (recipients.length === 0) {
      results.push({ caseId: c.id, events: events.length, sent: 0, failed: ['no contact to send the digest to'] });
      continue;
    }
    const sent = await notifier.send(
      c,
      recipients,
      `${events.length} new event${events.length === 1 ? '' : 's'} of type ${ic.rsitType} from feeds${ic.kind === 'cross-border' ? ` concerning networks in ${ic.country ?? '?'}` : ''} (digest)`,
      'feed-intake',
    );
    await store.intake.markDigested(ic.caseId, now, lastSeq);
    results.push({
      caseId: c.id,
      events: events.length,
      sent: sent.filter((s) => s.ok).length,
      failed: sent.filter((s) => !s.ok).map((s) => `${s.recipient}: ${s.ok ? '' : s.reason}`),
    });
  }
  return results;
}
