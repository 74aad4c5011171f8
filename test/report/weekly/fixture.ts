// A fixture fortnight (2026-W46 and 2026-W47) with known counts: cases across every TLP, their
// notifications, incidents with attacker infrastructure, breach figures and advisories. The counts
// each test asserts are worked out in the comments here.
import { caseFigures, type NotificationFact } from '../../../src/cases/figures.js';
import type { Case } from '../../../src/cases/model.js';
import type { Tlp } from '../../../src/core/tlp.js';
import {
  weeklyReport,
  weekPeriod,
  type BreachFigures,
  type Period,
  type ReportIncident,
  type WarnedVulnerabilities,
  type WeeklyReport,
} from '../../../src/report/weekly/index.js';

export const H = 3_600_000;
const D = 24 * H;
export const W47 = weekPeriod('2026-W47') as Period;
export const W46 = weekPeriod('2026-W46') as Period;

export type FixtureCase = Case & { foreignCountries: string[] };

let number = 100;
function kase(id: string, over: Partial<FixtureCase>): FixtureCase {
  return {
    id,
    number: ++number,
    title: id,
    description: '',
    status: 'in-progress',
    statusReason: null,
    rsitClass: 'intrusions',
    rsitType: 'system-compromise',
    tlp: 'AMBER',
    pap: 'AMBER',
    severity: 'medium',
    priority: 'normal',
    organisations: [],
    assignee: null,
    dueAt: null,
    incidentId: null,
    detectionIds: [],
    mergedInto: null,
    createdBy: 'analyst',
    createdAt: W47.from + H,
    updatedAt: W47.from + H,
    resolvedAt: null,
    foreignCountries: [],
    ...over,
  };
}

export const ORGANISATION_NAMES = [
  'Acme Bank',
  'acme.example',
  'Northwind Power',
  'northwind.example',
  'Contoso Health',
];

/**
 * W47 handled (AMBER): c1 c2 c3 c4 c6 c11 c12 = 7; GREEN drops c3 → 6; CLEAR drops c2 too → 5.
 * W46 handled: c4 c5 = 2 (c5 GREEN, so CLEAR: c4 = 1).
 * Resolved W47: c1 (8 h), c3 (20 h, AMBER), c6 (4 h); W46: c5 (30 h).
 */
export const CASES: FixtureCase[] = [
  kase('c1', {
    title: 'Phishing site imitating Acme Bank login',
    tlp: 'CLEAR',
    rsitClass: 'fraud',
    rsitType: 'phishing',
    severity: 'high',
    organisations: ['Acme Bank'],
    status: 'resolved',
    createdAt: W47.from + 2 * H,
    resolvedAt: W47.from + 10 * H,
    foreignCountries: ['US'],
    incidentId: 'inc-1',
  }),
  kase('c2', {
    title: 'Botnet infections at Northwind Power',
    tlp: 'GREEN',
    rsitClass: 'malicious-code',
    rsitType: 'infected-system',
    organisations: ['Northwind Power'],
    createdAt: W47.from + D,
    foreignCountries: ['US', 'NL'],
    incidentId: 'inc-2',
  }),
  kase('c3', {
    title: 'Domain controller of Contoso Health compromised',
    tlp: 'AMBER',
    severity: 'critical',
    organisations: ['Contoso Health'],
    status: 'resolved',
    createdAt: W47.from + 2 * D,
    resolvedAt: W47.from + 2 * D + 20 * H,
    foreignCountries: ['RU'],
    incidentId: 'inc-3',
  }),
  kase('c4', {
    title: 'DDoS against portal.acme.example',
    tlp: 'CLEAR',
    rsitClass: 'availability',
    rsitType: 'ddos',
    organisations: ['Acme Bank'],
    status: 'waiting',
    createdAt: W46.from + D,
  }),
  kase('c5', {
    title: 'Phishing kit on a compromised blog',
    tlp: 'GREEN',
    rsitClass: 'fraud',
    rsitType: 'phishing',
    status: 'closed',
    createdAt: W46.from + D,
    resolvedAt: W46.from + D + 30 * H,
    foreignCountries: ['US'],
  }),
  kase('c6', {
    title: 'Customer records of Northwind Power on a paste site',
    tlp: 'CLEAR',
    rsitClass: 'information-content-security',
    rsitType: 'data-leak',
    severity: 'high',
    organisations: ['Northwind Power'],
    status: 'resolved',
    createdAt: W47.from + 3 * D,
    resolvedAt: W47.from + 3 * D + 4 * H,
  }),
  // Above AMBER: in no report below RED.
  kase('c7', { title: 'Secret matter', tlp: 'RED', createdAt: W47.from + 3 * D }),
  // Rejected and merged-away cases count nowhere.
  kase('c8', { tlp: 'GREEN', status: 'rejected', statusReason: 'not ours', createdAt: W47.from + 3 * D }),
  kase('c9', { tlp: 'GREEN', status: 'duplicate', mergedInto: 'c2', createdAt: W47.from + 3 * D }),
  // After the week.
  kase('c10', { tlp: 'CLEAR', createdAt: W47.to + H }),
  kase('c11', {
    title: 'Unpatched VPN gateway',
    tlp: 'CLEAR',
    rsitClass: 'vulnerable',
    rsitType: null,
    severity: 'low',
    createdAt: W47.from + 4 * D,
    foreignCountries: ['NL'],
  }),
  kase('c12', {
    title: 'Fake Acme bank app in a third-party store',
    tlp: 'CLEAR',
    rsitClass: 'fraud',
    rsitType: 'phishing',
    organisations: ['Acme Bank'],
    createdAt: W47.from + 4 * D + H,
  }),
];

/** W47 (AMBER): n1 n2 n3 n4 n5 n8 = 6; GREEN drops n5 → 5; CLEAR keeps n1 n2 n8 = 3. */
export const NOTIFICATIONS: NotificationFact[] = [
  { id: 'n1', caseId: 'c1', partyKind: 'hosting', status: 'acted', sentAt: W47.from + 3 * H },
  { id: 'n2', caseId: 'c1', partyKind: 'registrar', status: 'acknowledged', sentAt: W47.from + 3 * H },
  { id: 'n3', caseId: 'c2', partyKind: 'hosting', status: 'no-answer', sentAt: W47.from + D + H },
  { id: 'n4', caseId: 'c2', partyKind: 'cert', status: 'acknowledged', sentAt: W47.from + D + H },
  { id: 'n5', caseId: 'c3', partyKind: 'cert', status: 'sent', sentAt: W47.from + 2 * D + H },
  { id: 'n6', caseId: 'c4', partyKind: 'hosting', status: 'acted', sentAt: W46.from + D + H },
  { id: 'n7', caseId: 'c7', partyKind: 'cloud', status: 'sent', sentAt: W47.from + 3 * D + H },
  { id: 'n8', caseId: 'c12', partyKind: 'app-store', status: 'acted', sentAt: W47.from + 4 * D + 2 * H },
];

/**
 * AMBER, W47: inc-1, inc-2, inc-3 (inc-4 was seen in W45). AS64500: 2 incidents, 2 addresses;
 * AS64502: 1, 2; AS64501: 1, 1; unknown AS: 1, 1. Countries US 2/2, RU 1/2, NL 1/1, unknown 1/1.
 */
export const INCIDENTS: ReportIncident[] = [
  {
    id: 'inc-1',
    tlp: 'CLEAR',
    firstSeen: W47.from + H,
    lastSeen: W47.from + 5 * H,
    infrastructure: [
      { ip: '203.0.113.5', country: 'US', asn: 64500, as_name: 'ACME BANK HOSTING', roles: ['exploitation'] },
      { ip: '203.0.113.6', country: 'US', asn: 64500, as_name: 'ACME BANK HOSTING', roles: [] },
    ],
  },
  {
    id: 'inc-2',
    tlp: 'GREEN',
    firstSeen: W46.from + 6 * D,
    lastSeen: W47.from + D,
    infrastructure: [
      {
        ip: '198.51.100.7',
        country: 'NL',
        asn: 64501,
        as_name: 'Transit <NL>',
        roles: ['command-and-control'],
      },
      { ip: '203.0.113.5', country: 'US', asn: 64500, as_name: 'ACME BANK HOSTING', roles: [] },
    ],
  },
  {
    id: 'inc-3',
    tlp: 'AMBER',
    firstSeen: W47.from + 2 * D,
    lastSeen: W47.from + 2 * D + 5 * H,
    infrastructure: [
      { ip: '192.0.2.1', country: 'RU', asn: 64502, as_name: 'BadNet', roles: ['exfiltration'] },
      { ip: '192.0.2.2', country: 'RU', asn: 64502, as_name: 'BadNet', roles: ['command-and-control'] },
      { ip: '192.0.2.99', country: null, asn: null, as_name: null, roles: [] },
    ],
  },
  {
    id: 'inc-4',
    tlp: 'CLEAR',
    firstSeen: W46.from - 3 * D,
    lastSeen: W46.from - 2 * D,
    infrastructure: [{ ip: '192.0.2.50', country: 'CN', asn: 64503, as_name: 'Old', roles: [] }],
  },
];

export const BREACHES: BreachFigures = {
  count: 2950,
  byType: { 'data-leak': 2900, 'unauthorised-information-access': 50 },
  byOrganisation: { 'org-acme': 2000, '': 950 },
  caseIds: ['c6', 'c3'],
  query: 'harmonised events with classification.taxonomy = information-content-security, deduplicated',
};

/** AMBER: 3 advisories, 3 CVEs, 3 products (critical 1, high 2); GREEN: adv-1, adv-3; CLEAR: adv-1. */
export const WARNED: WarnedVulnerabilities = {
  advisories: [
    {
      id: 'adv-1',
      title: 'Ivanti Connect Secure and Policy Secure: authentication bypass',
      published: '2026-11-17T09:00:00Z',
      tlp: 'CLEAR',
      cves: ['CVE-2026-0001', 'CVE-2026-0002'],
      products: [
        { vendor: 'Ivanti', product: 'Connect Secure', severity: 'critical', cvss: 9.8 },
        { vendor: 'Ivanti', product: 'Policy Secure', severity: 'high', cvss: 8.1 },
      ],
      organisationIds: ['org-acme'],
    },
    {
      id: 'adv-2',
      title: 'Exchange Server: remote code execution (as seen at Contoso Health)',
      published: '2026-11-18T09:00:00Z',
      tlp: 'AMBER',
      cves: ['CVE-2026-0003'],
      products: [{ vendor: 'Microsoft', product: 'Exchange Server', severity: 'high', cvss: 8.8 }],
      organisationIds: ['org-contoso'],
    },
    {
      id: 'adv-3',
      title: 'Connect Secure: exploitation in the wild',
      published: '2026-11-19T09:00:00Z',
      tlp: 'GREEN',
      cves: ['CVE-2026-0001'],
      products: [{ vendor: 'Ivanti', product: 'Connect Secure', severity: 'high', cvss: 7.5 }],
      organisationIds: [],
    },
  ],
  query: 'advisories of this CERT published in the week',
};

export function fixtureReport(
  tlp: Tlp,
  extra: { breaches?: BreachFigures; warned?: WarnedVulnerabilities } = {
    breaches: BREACHES,
    warned: WARNED,
  },
): WeeklyReport {
  return weeklyReport({
    week: '2026-W47',
    tlp,
    generatedAt: '2026-11-23T00:00:00.000Z',
    publisher: 'Example CERT',
    cases: CASES,
    notifications: NOTIFICATIONS,
    incidents: INCIDENTS,
    organisationNames: ORGANISATION_NAMES,
    figures: caseFigures,
    breaches: extra.breaches,
    warned: extra.warned,
  });
}
