/**
 * For a case: who must act and why. The victim organisation cleans up; the provider hosting attacker
 * infrastructure takes it down; the registrar of a malicious domain suspends it; the app store of a
 * malicious app removes it; the CERT of the attacker infrastructure's country is informed. Each
 * proposal names its reasons and subjects; one party asked for one action appears once, and the
 * order is stable (by action, then by first reason). What cannot be resolved from the constituency
 * on file is listed, so a missing provider is seen, not silently skipped.
 */
import { isInternalIp } from '../geo.js';
import { formatIp, parseIp, type IpAddress } from '../../core/ip.js';
import type { ConstituencyIndex, KnownFacts, LookupResult } from './lookup.js';
import type { Contact, Organisation, Party, PartyKind, ReportFormat } from './model.js';

export const ACTIONS = ['clean-up', 'take-down', 'suspend', 'remove', 'inform'] as const;
export type Action = (typeof ACTIONS)[number];

export interface ProposalHost {
  readonly name?: string;
  readonly ip?: string;
}

/** Attacker infrastructure as an incident's analysis has it (investigate/build.ts `Incident`). */
export interface ProposalInfrastructure {
  readonly ip: string;
  readonly country?: string | null;
  readonly asn?: number | null;
  readonly as_name?: string | null;
  readonly roles?: readonly string[];
}

export interface Observable {
  readonly type: 'ip' | 'domain' | 'url' | 'email' | 'app';
  readonly value: string;
  /** `malicious` (the default): the attacker's; `victim`: the victim's own (a host, a domain, an account). */
  readonly role?: 'malicious' | 'victim';
  /** For an app: the platform or store it is offered in (`android`, `ios`, a store party's id). */
  readonly platform?: string;
}

export interface ProposalInput {
  /** ISO 3166-1 alpha-2 of the CERT's own country: its CERT is us, and cross-border is measured from it. */
  readonly homeCountry: string;
  /** The organisation the case concerns, when known (an incident's label). */
  readonly organisation?: string | null;
  /** Hosts in scope: the victim's. */
  readonly hosts?: readonly ProposalHost[];
  readonly infrastructure?: readonly ProposalInfrastructure[];
  readonly observables?: readonly Observable[];
}

export interface ProposedParty {
  /** `constituent` for one of our organisations; otherwise the party's kind. */
  readonly kind: PartyKind;
  readonly id: string;
  readonly name: string;
  readonly action: Action;
  readonly reasons: readonly string[];
  /** The addresses, domains, hosts and apps this action concerns. */
  readonly subjects: readonly string[];
  readonly contacts: readonly Contact[];
  readonly preferredFormat: ReportFormat;
  /** The countries this party stands for here (an organisation's, or the CERT's matched country). */
  readonly countries: readonly string[];
}

export interface CrossBorder {
  readonly crossBorder: boolean;
  /** Countries other than home, sorted. */
  readonly foreign: readonly string[];
}

export interface Proposal {
  readonly parties: readonly ProposedParty[];
  /** What has no party on file: `no hosting provider on file for 203.0.113.5 (AS64500)`. */
  readonly unresolved: readonly string[];
  readonly crossBorder: CrossBorder;
}

/** Countries of the parties, victims and infrastructure against the home country. */
export function crossBorder(home: string, countries: readonly (string | null | undefined)[]): CrossBorder {
  const h = home.toUpperCase();
  const foreign = [
    ...new Set(
      countries.filter((c): c is string => typeof c === 'string' && c !== '').map((c) => c.toUpperCase()),
    ),
  ]
    .filter((c) => c !== h)
    .sort();
  return { crossBorder: foreign.length > 0, foreign };
}

const ROLE_NAMES: Record<string, string> = {
  exploitation: 'exploitation source',
  'command-and-control': 'command-and-control server',
  exfiltration: 'exfiltration destination',
};

const ACTION_OF: Record<Exclude<PartyKind, 'constituent'>, Action> = {
  hosting: 'take-down',
  cloud: 'take-down',
  registrar: 'suspend',
  'app-store': 'remove',
  cert: 'inform',
};

class Proposals {
  readonly #byKey = new Map<
    string,
    { p: ProposedParty & { reasons: string[]; subjects: string[]; countries: string[] }; order: number }
  >();
  readonly unresolved: string[] = [];
  #order = 0;

  constructor(private readonly home: string) {}

  organisation(o: Organisation, action: Action, reason: string, subject: string): void {
    this.#add({
      kind: 'constituent',
      id: o.id,
      name: o.name,
      action,
      reasons: [reason],
      subjects: [subject],
      contacts: o.contacts,
      preferredFormat: 'email',
      countries: [o.country ?? this.home],
    });
  }

  party(p: Party, reason: string, subject: string, country?: string): void {
    this.#add({
      kind: p.kind,
      id: p.id,
      name: p.name,
      action: ACTION_OF[p.kind],
      reasons: [reason],
      subjects: [subject],
      contacts: p.contacts,
      preferredFormat: p.preferredFormat,
      countries: country !== undefined ? [country] : [...p.countries],
    });
  }

  gap(text: string): void {
    if (!this.unresolved.includes(text)) this.unresolved.push(text);
  }

  #add(p: ProposedParty & { reasons: string[]; subjects: string[]; countries: string[] }): void {
    const key = `${p.kind}\u0000${p.id}\u0000${p.action}`;
    const found = this.#byKey.get(key);
    if (!found) {
      this.#byKey.set(key, { p, order: this.#order++ });
      return;
    }
    for (const r of p.reasons) if (!found.p.reasons.includes(r)) found.p.reasons.push(r);
    for (const s of p.subjects) if (!found.p.subjects.includes(s)) found.p.subjects.push(s);
    for (const c of p.countries) if (!found.p.countries.includes(c)) found.p.countries.push(c);
  }

  list(): ProposedParty[] {
    return [...this.#byKey.values()]
      .sort((a, b) => ACTIONS.indexOf(a.p.action) - ACTIONS.indexOf(b.p.action) || a.order - b.order)
      .map((e) => e.p);
  }
}

/** Proposes who must act on a case, from its incident's hosts and infrastructure and its observables. */
export function proposeParties(index: ConstituencyIndex, input: ProposalInput): Proposal {
  const home = input.homeCountry.toUpperCase();
  const out = new Proposals(home);
  const labelled = input.organisation ? index.organisation(input.organisation) : undefined;
  if (input.organisation && !labelled)
    out.gap(`organisation "${input.organisation}" is not in the constituency`);
  if (labelled) out.organisation(labelled, 'clean-up', `the case concerns ${labelled.name}`, labelled.name);

  /** Victim-side things: their owners clean up. Private addresses say nothing once the case is labelled. */
  const victim = (text: string, what: string): void => {
    const found = index.lookup(text);
    if (found.kind === 'invalid') return;
    if (found.kind === 'ip' && labelled && isInternalIp(found.subject)) return;
    for (const o of found.owners)
      for (const reason of o.reasons)
        out.organisation(o.organisation, 'clean-up', `${what}: ${reason}`, found.subject);
  };

  for (const h of input.hosts ?? []) {
    const label = h.name ? `host ${h.name}` : 'host';
    if (h.ip) victim(h.ip, label);
    // A host known by its full name (ws-014.corp.acme.example) is placed by its domain.
    if (h.name?.includes('.')) victim(h.name, label);
  }

  /** Attacker-side address: a constituent's own is compromised; otherwise host, and CERT abroad. */
  const attackerAddress = (found: LookupResult, what: string): void => {
    const ip = found.subject;
    if (found.owners.length > 0) {
      for (const o of found.owners)
        for (const reason of o.reasons)
          out.organisation(
            o.organisation,
            'clean-up',
            `${what} ${reason} (a compromised system of ours)`,
            ip,
          );
      return;
    }
    if (isInternalIp(ip)) return;
    const hosts = found.parties.filter((p) => p.party.kind === 'hosting' || p.party.kind === 'cloud');
    for (const p of hosts) for (const reason of p.reasons) out.party(p.party, `${what} ${reason}`, ip);
    if (hosts.length === 0)
      out.gap(
        `no hosting provider on file for ${what} ${ip}${found.asn !== null ? ` (AS${found.asn})` : ''}`,
      );
    const country = found.country;
    if (country === null || country === home) return;
    const certs = found.parties.filter((p) => p.party.kind === 'cert');
    for (const p of certs)
      for (const reason of p.reasons) out.party(p.party, `${what} ${reason}`, ip, country);
    if (certs.length === 0) out.gap(`no CERT on file for country ${country} (${what} ${ip})`);
  };

  /** Attacker-side domain: registrar suspends, a host of it takes it down, a constituent's is compromised. */
  const attackerDomain = (found: LookupResult, what: string): void => {
    const domain = found.subject;
    for (const o of found.owners)
      for (const reason of o.reasons)
        out.organisation(o.organisation, 'clean-up', `${what} ${reason} (compromised or abused)`, domain);
    if (found.owners.length > 0) return;
    let registrar = false;
    for (const p of found.parties) {
      if (p.party.kind === 'cert' || p.party.kind === 'app-store') continue;
      registrar ||= p.party.kind === 'registrar';
      for (const reason of p.reasons) out.party(p.party, `${what} ${reason}`, domain);
    }
    if (!registrar) out.gap(`no registrar on file for ${what} ${domain}`);
  };

  // One address listed several times (one entry per detection) is one subject: roles and facts merged.
  const infrastructure = new Map<string, { address: IpAddress; roles: string[]; known: KnownFacts }>();
  for (const infra of input.infrastructure ?? []) {
    const address = parseIp(infra.ip);
    if (!address) {
      out.gap(`infrastructure ${infra.ip.slice(0, 100)}: not an IP address`);
      continue;
    }
    const ip = formatIp(address);
    const entry = infrastructure.get(ip) ?? { address, roles: [], known: {} };
    infrastructure.set(ip, entry);
    for (const r of infra.roles ?? []) if (!entry.roles.includes(r)) entry.roles.push(r);
    entry.known = {
      ...(infra.country != null ? { country: infra.country } : {}),
      ...(infra.asn != null ? { asn: infra.asn } : {}),
      ...(infra.as_name != null ? { asName: infra.as_name } : {}),
      ...entry.known,
    };
  }
  for (const [ip, { address, roles, known }] of infrastructure) {
    const names = roles.map((r) => ROLE_NAMES[r] ?? r);
    const what = names.length > 0 ? names.join(' and ') : 'attacker address';
    attackerAddress(index.lookupAddress(ip, ip, address, known), what);
  }

  for (const o of input.observables ?? []) {
    if (o.role === 'victim') {
      victim(o.value, `${o.type} ${o.value}`);
      continue;
    }
    if (o.type === 'app') {
      const stores = o.platform ? index.appStores(o.platform) : [];
      for (const s of stores)
        out.party(s, `malicious app ${o.value} is offered on ${o.platform} → ${s.name}`, o.value);
      if (stores.length === 0)
        out.gap(
          o.platform
            ? `no app store on file for ${o.platform} (app ${o.value})`
            : `app ${o.value}: no platform given`,
        );
      continue;
    }
    const found = index.lookup(o.value);
    if (found.kind === 'invalid') {
      out.gap(`${o.type} ${o.value.slice(0, 200)}: ${found.reason}`);
      continue;
    }
    const what = {
      ip: 'malicious address',
      domain: 'malicious domain',
      url: 'malicious URL host',
      email: 'sender domain',
    }[o.type];
    if (found.kind === 'ip') attackerAddress(found, what);
    else attackerDomain(found, what);
  }

  const parties = out.list();
  return {
    parties,
    unresolved: out.unresolved,
    crossBorder: crossBorder(home, [
      ...parties.flatMap((p) => p.countries),
      ...(input.infrastructure ?? []).map((i) => i.country),
    ]),
  };
}
