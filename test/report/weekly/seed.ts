// The fixture fortnight (fixture.ts) written into a real store through its repositories, for the
// API, CLI and schedule tests. Creation times are set with one UPDATE: the store stamps "now".
import type { Organisation } from '../../../src/enrich/constituency/model.js';
import type { SqlDb } from '../../../src/store/sql.js';
import type { Store } from '../../../src/store/index.js';
import { CASES, INCIDENTS, NOTIFICATIONS } from './fixture.js';

const org = (id: string, name: string, domain: string): Organisation => ({
  id,
  name,
  sectors: [],
  country: null,
  networks: [],
  asns: [],
  domains: [domain],
  contacts: [{ email: `soc@${domain}` }],
});

/** Returns fixture case id → store case id. */
export async function seedStore(store: Store & { readonly sql: SqlDb }): Promise<Map<string, string>> {
  await store.constituency.putOrganisation(org('org-acme', 'Acme Bank', 'acme.example'));
  await store.constituency.putOrganisation(org('org-northwind', 'Northwind Power', 'northwind.example'));
  await store.constituency.putOrganisation(org('org-contoso', 'Contoso Health', 'contoso.example'));
  for (const i of INCIDENTS) {
    await store.incidents.put({
      id: i.id,
      title: `incident ${i.id}`,
      firstSeen: i.firstSeen,
      lastSeen: i.lastSeen,
      detectionIds: [],
      analysis: { id: i.id, infrastructure: i.infrastructure, hosts: [] },
    });
    // inc-3 stays unlabelled: AMBER by default.
    if (i.id !== 'inc-3') await store.handling.set({ incidentId: i.id, tlp: i.tlp, organisation: null });
  }
  const ids = new Map<string, string>();
  for (const c of CASES) {
    const made = await store.cases.create({
      title: c.title,
      description: '',
      rsitClass: c.rsitClass,
      rsitType: c.rsitType,
      tlp: c.tlp,
      pap: c.pap,
      severity: c.severity,
      priority: c.priority,
      organisations: c.organisations,
      assignee: null,
      dueAt: null,
      incidentId: c.incidentId,
      detectionIds: [],
      createdBy: 'fixture',
    });
    ids.set(c.id, made.id);
  }
  for (const c of CASES) {
    await store.cases.update(ids.get(c.id)!, {
      status: c.status,
      statusReason: c.statusReason,
      resolvedAt: c.resolvedAt,
      mergedInto: c.mergedInto === null ? null : ids.get(c.mergedInto)!,
    });
    await store.sql.run('UPDATE cases SET created_at = ? WHERE id = ?', [c.createdAt, ids.get(c.id)]);
  }
  for (const n of NOTIFICATIONS) {
    const made = await store.notifications.create({
      caseId: ids.get(n.caseId)!,
      recipient: `abuse@${n.partyKind}.example`,
      recipientName: `${n.partyKind} desk`,
      partyKind: n.partyKind,
      language: 'en',
      subject: 'x',
      templateId: 'default',
    });
    await store.notifications.record(
      made.id,
      { at: n.sentAt!, status: 'sent', note: null },
      { sentAt: n.sentAt! },
    );
    if (n.status !== 'sent')
      await store.notifications.record(made.id, {
        at: n.sentAt! + 1,
        status: n.status as 'acted',
        note: null,
      });
  }
  return ids;
}
