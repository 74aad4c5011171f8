/**
 * Who must act on a case, and why (the victim organisation, hosters, registrars, app stores, foreign
 * CERTs), from its incident's hosts and infrastructure and its observables; and from that, whether
 * the case is cross-border. Shared by the case routes and the weekly report's data.
 */
import type { Case } from '../cases/model.js';
import {
  ConstituencyIndex,
  proposeParties,
  type Observable as PartyObservable,
} from '../enrich/constituency/index.js';
import type { Incident } from '../investigate/index.js';
import type { Store } from '../store/index.js';

export async function constituencyIndexOf(store: Store): Promise<ConstituencyIndex> {
  return new ConstituencyIndex(
    await store.constituency.listOrganisations(),
    await store.constituency.listParties(),
  );
}

export async function casePartiesOf(store: Store, c: Case, index: ConstituencyIndex, homeCountry: string) {
  const incident = c.incidentId ? await store.incidents.get(c.incidentId) : undefined;
  const analysis = (incident?.analysis ?? {}) as Partial<Incident>;
  const observables: PartyObservable[] = [];
  for (const o of await store.cases.observables(c.id)) {
    const type =
      o.type === 'ipv4' || o.type === 'ipv6'
        ? 'ip'
        : o.type === 'domain' || o.type === 'url' || o.type === 'email'
          ? o.type
          : undefined;
    if (type) observables.push({ type, value: o.value });
  }
  return proposeParties(index, {
    homeCountry,
    organisation: c.organisations[0] ?? null,
    hosts: Array.isArray(analysis.hosts) ? analysis.hosts.map((h) => ({ name: h.name })) : [],
    infrastructure: Array.isArray(analysis.infrastructure) ? analysis.infrastructure : [],
    observables,
  });
}
