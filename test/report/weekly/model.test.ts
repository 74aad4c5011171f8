// The weekly report's figures from the fixture fortnight (fixture.ts works the counts out): every
// figure, its case ids and its week-on-week change, at AMBER, GREEN and CLEAR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { weeklyHtml, weeklyMarkdown, type WeeklyReport } from '../../../src/report/weekly/index.js';
import { NameScrubber } from '../../../src/report/weekly/index.js';
import { BREACHES, fixtureReport, WARNED } from './fixture.js';

const counts = (rows: readonly { value: number }[], key: (r: never) => string): Record<string, number> =>
  Object.fromEntries(rows.map((r) => [key(r as never), r.value]));

test('AMBER: the headline figures, with the week before and the change', () => {
  const r = fixtureReport('AMBER');
  assert.equal(r.week, '2026-W47');
  assert.equal(r.previousWeek, '2026-W46');
  assert.deepEqual(r.period, { from: '2026-11-16T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z' });
  const pick = (c: WeeklyReport['handled']) => [
    c.value,
    c.previous,
    c.change,
    c.changePercent,
    c.caseIds,
    c.previousCaseIds,
  ];
  assert.deepEqual(pick(r.handled), [
    7,
    2,
    5,
    250,
    ['c1', 'c11', 'c12', 'c2', 'c3', 'c4', 'c6'],
    ['c4', 'c5'],
  ]);
  assert.deepEqual(pick(r.opened), [6, 2, 4, 200, ['c1', 'c11', 'c12', 'c2', 'c3', 'c6'], ['c4', 'c5']]);
  assert.deepEqual(pick(r.resolved), [3, 1, 2, 200, ['c1', 'c3', 'c6'], ['c5']]);
  assert.equal(r.resolution.medianHours, 8);
  assert.equal(r.resolution.previousMedianHours, 30);
  assert.deepEqual(r.resolution.caseIds, ['c1', 'c3', 'c6']);
  assert.equal(
    r.summary,
    'In week 47 of 2026 (16–22 November 2026) the CERT handled 7 incidents (+5 on the week before), 6 of them new; 3 were resolved, in a median of 8 hours. 4 (57 %) were cross-border, most often with NL (2). 6 notifications went to the parties who must act: cert 2, hosting 2, app-store 1, registrar 1. 2,950 data-security breaches were found. The CERT warned of 3 vulnerabilities in 3 advisories, affecting 3 products. The most active attacker network was AS64500 (ACME BANK HOSTING) in US, seen in 2 incidents.',
  );
});

test('AMBER: incidents by RSIT class and type, week on week', () => {
  const r = fixtureReport('AMBER');
  assert.deepEqual(
    r.incidents.byClass.map((c) => [c.rsitClass, c.value, c.previous, c.change, c.changePercent, c.caseIds]),
    [
      ['availability', 1, 1, 0, 0, ['c4']],
      ['fraud', 2, 1, 1, 100, ['c1', 'c12']],
      ['information-content-security', 1, 0, 1, null, ['c6']],
      ['intrusions', 1, 0, 1, null, ['c3']],
      ['malicious-code', 1, 0, 1, null, ['c2']],
      ['vulnerable', 1, 0, 1, null, ['c11']],
    ],
  );
  assert.deepEqual(
    r.incidents.byType.map((t) => `${t.rsitClass}/${t.rsitType} ${t.value}/${t.previous}`),
    [
      'availability/ddos 1/1',
      'fraud/phishing 2/1',
      'information-content-security/data-leak 1/0',
      'intrusions/system-compromise 1/0',
      'malicious-code/infected-system 1/0',
      'vulnerable/unspecified 1/0',
    ],
  );
  assert.deepEqual(r.incidents.byType[1]!.previousCaseIds, ['c5']);
});

test('AMBER: cross-border count and share by counterpart country', () => {
  const r = fixtureReport('AMBER');
  assert.equal(r.crossBorder.total.value, 4);
  assert.deepEqual(r.crossBorder.total.caseIds, ['c1', 'c11', 'c2', 'c3']);
  assert.equal(r.crossBorder.share, 0.571);
  assert.equal(r.crossBorder.previous, 1);
  assert.deepEqual(
    r.crossBorder.byCountry.map((c) => [c.country, c.value, c.share, c.caseIds]),
    [
      ['NL', 2, 0.5, ['c11', 'c2']],
      ['US', 2, 0.5, ['c1', 'c2']],
      ['RU', 1, 0.25, ['c3']],
    ],
  );
});

test('AMBER: notifications by party type and outcome, with their cases', () => {
  const r = fixtureReport('AMBER');
  assert.equal(r.notifications.total.value, 6);
  assert.deepEqual(r.notifications.total.caseIds, ['c1', 'c12', 'c2', 'c3']);
  assert.deepEqual(
    r.notifications.byParty.map((p) => [
      p.party,
      p.value,
      p.notificationIds,
      p.outcomes.map((o) => `${o.outcome}:${o.value}:${o.notificationIds.join('+')}:${o.caseIds.join('+')}`),
    ]),
    [
      ['cert', 2, ['n4', 'n5'], ['acknowledged:1:n4:c2', 'sent:1:n5:c3']],
      ['hosting', 2, ['n1', 'n3'], ['acted:1:n1:c1', 'no-answer:1:n3:c2']],
      ['app-store', 1, ['n8'], ['acted:1:n8:c12']],
      ['registrar', 1, ['n2'], ['acknowledged:1:n2:c1']],
    ],
  );
});

test('AMBER: breaches, vulnerabilities by product and severity', () => {
  const r = fixtureReport('AMBER');
  assert.equal(r.breaches!.total.value, 2950);
  assert.deepEqual(r.breaches!.total.caseIds, ['c3', 'c6']);
  assert.deepEqual(r.breaches!.byType, [
    { type: 'data-leak', count: 2900 },
    { type: 'unauthorised-information-access', count: 50 },
  ]);
  assert.deepEqual(r.breaches!.byOrganisation, [
    { organisation: 'org-acme', count: 2000 },
    { organisation: '(not ours)', count: 950 },
  ]);
  const v = r.vulnerabilities!;
  assert.deepEqual(
    v.advisories.map((a) => a.id),
    ['adv-1', 'adv-2', 'adv-3'],
  );
  assert.equal(v.cves, 3);
  assert.deepEqual(
    v.byProduct.map((p) => [p.vendor, p.product, p.severity, p.cvss, p.advisoryIds]),
    [
      ['Ivanti', 'Connect Secure', 'critical', 9.8, ['adv-1', 'adv-3']],
      ['Microsoft', 'Exchange Server', 'high', 8.8, ['adv-2']],
      ['Ivanti', 'Policy Secure', 'high', 8.1, ['adv-1']],
    ],
  );
  assert.deepEqual(v.bySeverity, [
    { severity: 'critical', products: 1 },
    { severity: 'high', products: 2 },
  ]);
});

test('AMBER: the most active attacker infrastructure, by ASN and country', () => {
  const r = fixtureReport('AMBER');
  const infra = r.infrastructure;
  assert.equal(infra.incidents, 3);
  assert.deepEqual(
    infra.asns.map((a) => [a.asn, a.name, a.countries, a.value, a.addresses, a.incidentIds, a.caseIds]),
    [
      [64500, 'ACME BANK HOSTING', ['US'], 2, 2, ['inc-1', 'inc-2'], ['c1', 'c2']],
      [64502, 'BadNet', ['RU'], 1, 2, ['inc-3'], ['c3']],
      [64501, 'Transit <NL>', ['NL'], 1, 1, ['inc-2'], ['c2']],
      [null, null, [], 1, 1, ['inc-3'], ['c3']],
    ],
  );
  assert.deepEqual(
    infra.countries.map((c) => [c.country, c.value, c.addresses]),
    [
      ['US', 2, 2],
      ['RU', 1, 2],
      ['NL', 1, 1],
      ['unknown', 1, 1],
    ],
  );
});

test('notable incidents: TLP:CLEAR cases handled this week, most severe first, one line each', () => {
  const r = fixtureReport('AMBER');
  assert.deepEqual(
    r.notable.items.map((i) => i.line),
    [
      '2026-11-16 · fraud / phishing · high · Phishing site imitating Acme Bank login (resolved)',
      '2026-11-19 · information-content-security / data-leak · high · Customer records of Northwind Power on a paste site (resolved)',
      '2026-11-10 · availability / ddos · medium · DDoS against portal.acme.example (waiting)',
      '2026-11-20 · fraud / phishing · medium · Fake Acme bank app in a third-party store (in-progress)',
      '2026-11-20 · vulnerable · low · Unpatched VPN gateway (in-progress)',
    ],
  );
});

test('every figure carries its query and its case ids', () => {
  const r = fixtureReport('GREEN');
  const figures: unknown[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      if ('value' in x && typeof x.value === 'number') figures.push(x);
      Object.values(x).forEach(walk);
    }
  };
  walk(r);
  assert.ok(figures.length >= 30, `${figures.length} figures`);
  for (const f of figures) {
    const { query, caseIds } = f as { query: unknown; caseIds: unknown };
    assert.equal(typeof query, 'string', JSON.stringify(f));
    assert.ok((query as string).length > 20);
    assert.ok(Array.isArray(caseIds), JSON.stringify(f));
  }
  assert.match(r.handled.query, /TLP:CLEAR or TLP:GREEN, neither merged into another nor rejected/);
  assert.match(r.vulnerabilities!.query, /^advisories of this CERT published in the week/);
  assert.match(r.breaches!.total.query, /information-content-security/);
});

test('GREEN: AMBER and RED cases, their notifications, incidents and advisories are left out', () => {
  const r = fixtureReport('GREEN');
  const json = JSON.stringify(r);
  for (const hidden of ['"c3"', '"c7"', '"n5"', '"n7"', '"inc-3"', '"adv-2"', 'Contoso', 'BadNet', '64502'])
    assert.ok(!json.includes(hidden), `${hidden} is in a TLP:GREEN report`);
  assert.equal(r.handled.value, 6);
  assert.equal(r.opened.value, 5);
  assert.deepEqual(r.resolved.caseIds, ['c1', 'c6']);
  assert.equal(r.resolution.medianHours, 6);
  assert.equal(r.crossBorder.total.value, 3);
  assert.equal(r.crossBorder.share, 0.5);
  assert.deepEqual(
    counts(r.crossBorder.byCountry, (c: { country: string }) => c.country),
    { NL: 2, US: 2 },
  );
  assert.equal(r.notifications.total.value, 5);
  assert.deepEqual(
    counts(r.notifications.byParty, (p: { party: string }) => p.party),
    {
      hosting: 2,
      'app-store': 1,
      cert: 1,
      registrar: 1,
    },
  );
  assert.deepEqual(r.breaches!.total.caseIds, ['c6']);
  assert.equal(r.breaches!.total.value, 2950);
  assert.equal(r.vulnerabilities!.cves, 2);
  assert.deepEqual(
    r.vulnerabilities!.byProduct.map((p) => `${p.product} ${p.severity}`),
    ['Connect Secure critical', 'Policy Secure high'],
  );
  assert.equal(r.infrastructure.incidents, 2);
  assert.deepEqual(
    r.infrastructure.asns.map((a) => [a.asn, a.value]),
    [
      [64500, 2],
      [64501, 1],
    ],
  );
  // Organisation names stay in a report above CLEAR.
  assert.ok(json.includes('Northwind Power'));
});

test('CLEAR: no organisation name anywhere, in any form of the report', () => {
  const r = fixtureReport('CLEAR');
  assert.equal(r.handled.value, 5);
  assert.equal(r.handled.previous, 1);
  assert.equal(r.crossBorder.total.value, 2);
  assert.equal(r.notifications.total.value, 3);
  assert.equal(r.breaches!.byOrganisation, null);
  assert.deepEqual(
    r.vulnerabilities!.advisories.map((a) => a.id),
    ['adv-1'],
  );
  assert.deepEqual(
    r.notable.items.map((i) => i.line.split(' · ')[3]),
    [
      'Phishing site imitating [organisation] login (resolved)',
      'Customer records of [organisation] on a paste site (resolved)',
      'DDoS against portal.[organisation] (waiting)',
      'Fake [organisation] app in a third-party store (in-progress)',
      'Unpatched VPN gateway (in-progress)',
    ],
  );
  assert.equal(r.infrastructure.asns[0]!.name, '[organisation] HOSTING');
  for (const [form, text] of [
    ['json', JSON.stringify(r)],
    ['html', weeklyHtml(r)],
    ['md', weeklyMarkdown(r)],
  ] as const)
    for (const name of ['acme', 'northwind', 'contoso', 'org-acme'])
      assert.ok(!text.toLowerCase().includes(name), `${name} is in the ${form} of a TLP:CLEAR report`);
});

test('absent breach and advisory data: the sections say so', () => {
  const r = fixtureReport('AMBER', {});
  assert.equal(r.breaches, null);
  assert.equal(r.vulnerabilities, null);
  assert.match(r.summary, /No figures on data-security breaches were available for this week\./);
  assert.doesNotMatch(r.summary, /warned of/);
});

test("CLEAR: names in the providers' own text are removed too", () => {
  const r = fixtureReport('CLEAR', {
    breaches: {
      ...BREACHES,
      query: 'leaks seen for Acme Bank',
      byType: { 'data-leak at northwind.example': 3 },
    },
    warned: { ...WARNED, query: 'advisories, incl. the one sent to Contoso Health' },
  });
  assert.equal(
    r.breaches!.total.query,
    "leaks seen for [organisation] (case ids above the report's TLP left out)",
  );
  assert.deepEqual(r.breaches!.byType, [{ type: 'data-leak at [organisation]', count: 3 }]);
  assert.match(r.vulnerabilities!.query, /^advisories, incl\. the one sent to \[organisation\]/);
});

test('the name scrubber: case-insensitive, longest name first, every occurrence, short names left alone', () => {
  const s = new NameScrubber(['Acme', 'Acme Bank Group', 'IT', '  ', 'acme.example']);
  assert.equal(
    s.scrub('ACME BANK GROUP and acme, mail.acme.example, IT dept'),
    '[organisation] and [organisation], mail.[organisation], IT dept',
  );
  assert.equal(s.scrub('acmeacme'), '[organisation][organisation]');
  assert.equal(s.scrub('x'.repeat(600)).length, 500);
  assert.equal(new NameScrubber([]).scrub('Acme'), 'Acme');
});
