// The incident report: self-contained, and every evidence string escaped in HTML and Markdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Incident } from '../../src/investigate/index.js';
import { activityOf } from '../../src/investigate/index.js';
import { incidentHtml, incidentMarkdown, summaryOf } from '../../src/report/incident.js';

const EVIL = '<script>alert(1)</script>"\'&|*_[x](javascript:alert(2))';

function incident(): Incident {
  const t = Date.UTC(2026, 4, 12, 15);
  return {
    id: 'inc-0000000000000001',
    title: `WEB01${EVIL}: Web shell`,
    first_seen: new Date(t).toISOString(),
    last_seen: new Date(t + 3_600_000).toISOString(),
    severity: 'high',
    hosts: [
      { name: `WEB01${EVIL}`, first_seen: new Date(t).toISOString(), how_reached: 'entry', detections: 2 },
      {
        name: 'WS-1',
        first_seen: new Date(t).toISOString(),
        how_reached: `network logon as ${EVIL}`,
        detections: 1,
      },
    ],
    entry: {
      host: `WEB01${EVIL}`,
      time: new Date(t).toISOString(),
      technique: 'T1505.003 Web Shell',
      rule: EVIL,
      from_ip: '45.33.32.156',
    },
    spread: [{ from: `WEB01${EVIL}`, to: 'WS-1', time: new Date(t).toISOString(), via: EVIL }],
    timeline: [
      {
        time: new Date(t).toISOString(),
        tactic: 'Persistence',
        technique: 'T1505.003 Web Shell',
        host: 'WEB01',
        rule: EVIL,
        count: 1,
      },
    ],
    techniques: [{ id: 'T1505.003', name: 'Web Shell', tactics: ['Persistence'], count: 1 }],
    infrastructure: [
      {
        ip: '45.33.32.156',
        country: 'US',
        asn: 63949,
        as_name: EVIL,
        roles: ['exploitation', 'exfiltration'],
        first_seen: '',
        last_seen: '',
        bytes_out: 2_500_000_000,
      },
    ],
    web_shells: [
      {
        host: 'WEB01',
        path: `C:\\inetpub\\wwwroot\\${EVIL}.aspx`,
        time: new Date(t).toISOString(),
        written_by: 'w3wp.exe',
      },
    ],
    web_commands: [{ host: 'WEB01', time: new Date(t).toISOString(), command: `cmd /c ${EVIL}` }],
    bytes_out_total: 2_500_000_000,
    cross_border: true,
    countries: ['US'],
    activity: activityOf([t, t + 60_000, t + 120_000]),
    links: [`WS-1 joined: ${EVIL}`],
    detections: { count: 3, ids: ['a', 'b', 'c'] },
  };
}

test('HTML report: self-contained, no script, every evidence string escaped', () => {
  const html = incidentHtml(incident());
  assert.ok(html.startsWith('<!doctype html>'));
  assert.ok(!/<script/i.test(html), 'no script element, escaped or not');
  assert.ok(!html.includes(EVIL));
  assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.ok(!/(src|href)="https?:/i.test(html), 'nothing fetched');
  // The two charts are inline SVG.
  assert.equal((html.match(/<svg /g) ?? []).length, 2);
  assert.ok(html.includes('2.5 GB'));
});

test('Markdown report: table cells cannot break out of their row or inject links', () => {
  const md = incidentMarkdown(incident());
  for (const line of md.split('\n').filter((l) => l.startsWith('| '))) {
    // Unescaped pipes are only the cell separators: every row of a table has the header's count.
    const cells = line.replace(/\\\|/g, '').split('|').length;
    assert.ok(cells >= 4, line);
  }
  assert.ok(!md.includes('](javascript:'));
  assert.ok(!md.includes('<script>'));
});

test('summary: entry, web shell, scope, data out with countries, working hours', () => {
  const text = summaryOf(incident());
  assert.match(text, /compromised on 2026-05-12 from 45\.33\.32\.156/);
  assert.match(text, /1 further host was reached/);
  assert.match(text, /2\.5 GB went out to 1 server in US/);
  // Three actions at 15:00 UTC fit 09:00–18:00 from UTC−06 to UTC+02: the middle is chosen.
  assert.match(text, /working day at UTC−02:00/);
});

test('summary and reports: activity only at a weekend claims no working-day offset', () => {
  // Sunday 2026-05-10: under every offset from UTC−12 to UTC+14 the actions fall on a weekend day.
  const sunday = Date.UTC(2026, 4, 10, 12);
  const activity = activityOf([sunday, sunday + 3_600_000]);
  assert.equal(activity.best_utc_offset, null);
  assert.equal(activity.actions, 2);
  const weekend: Incident = { ...incident(), activity };
  assert.match(summaryOf(weekend), /None of the attacker's actions falls in a working day/);
  assert.doesNotMatch(summaryOf(weekend), /fits a working day/);
  assert.ok(incidentHtml(weekend).includes('None of the attacker&#39;s actions falls in a working day'));
  assert.match(incidentMarkdown(weekend), /Activity: None of the attacker/);
  // Without actions there is nothing to say in the summary.
  assert.doesNotMatch(summaryOf({ ...incident(), activity: activityOf([]) }), /working day/);
});
