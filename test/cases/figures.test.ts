// Case figures for a period, against fixture cases and notifications with known counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caseFigures, periodOf, type NotificationFact, type Period } from '../../src/cases/figures.js';
import type { Case } from '../../src/cases/model.js';

const H = 3_600_000;
const week = periodOf({ week: '2026-W47' }) as Period;

function kase(
  id: string,
  over: Partial<Case> & { foreignCountries?: string[] },
): Case & { foreignCountries: string[] } {
  return {
    id,
    number: 1,
    title: id,
    description: '',
    status: 'new',
    statusReason: null,
    rsitClass: 'intrusions',
    rsitType: null,
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
    createdBy: 'x',
    createdAt: week.from + H,
    updatedAt: week.from + H,
    resolvedAt: null,
    foreignCountries: [],
    ...over,
  };
}

test('ISO weeks: Monday 00:00 UTC to the next Monday', () => {
  assert.deepEqual(periodOf({ week: '2026-W47' }), {
    from: Date.UTC(2026, 10, 16),
    to: Date.UTC(2026, 10, 23),
  });
  assert.deepEqual(periodOf({ week: '2026-W01' }), {
    from: Date.UTC(2025, 11, 29),
    to: Date.UTC(2026, 0, 5),
  });
  assert.deepEqual(periodOf({ week: '2021-W01' }), { from: Date.UTC(2021, 0, 4), to: Date.UTC(2021, 0, 11) });
  assert.ok('problem' in periodOf({ week: '2026-W54' }));
  assert.ok('problem' in periodOf({ from: '2026-11-20', to: '2026-11-19' }));
});

test('opened, handled and resolved by class; cross-border by country; notifications by party and outcome; median time', () => {
  const cases = [
    kase('a', { status: 'resolved', resolvedAt: week.from + 5 * H, foreignCountries: ['US'] }),
    kase('b', {
      rsitClass: 'fraud',
      status: 'closed',
      resolvedAt: week.from + 11 * H,
      foreignCountries: ['US', 'NL'],
    }),
    kase('c', { rsitClass: null }),
    // Opened the week before, still open: handled, not opened.
    kase('d', { createdAt: week.from - 48 * H, foreignCountries: ['RU'] }),
    // Resolved before the week: neither.
    kase('e', { createdAt: week.from - 100 * H, status: 'closed', resolvedAt: week.from - 50 * H }),
    // Opened after the week: neither.
    kase('f', { createdAt: week.to + H }),
    // Merged away and rejected cases are not counted.
    kase('g', { mergedInto: 'a', status: 'duplicate' }),
    kase('h', { status: 'rejected', statusReason: 'not ours' }),
  ];
  const notifications: NotificationFact[] = [
    { id: 'n1', caseId: 'a', partyKind: 'hosting', status: 'acted', sentAt: week.from + 2 * H },
    { id: 'n2', caseId: 'a', partyKind: 'hosting', status: 'no-answer', sentAt: week.from + 2 * H },
    { id: 'n3', caseId: 'b', partyKind: 'cert', status: 'acknowledged', sentAt: week.from + 3 * H },
    { id: 'n4', caseId: 'd', partyKind: 'cert', status: 'sent', sentAt: week.from - H },
  ];
  const f = caseFigures(cases, notifications, week);
  assert.deepEqual(f.opened.ids, ['a', 'b', 'c']);
  assert.deepEqual(Object.fromEntries(Object.entries(f.opened.byClass).map(([k, v]) => [k, v.count])), {
    fraud: 1,
    intrusions: 1,
    unclassified: 1,
  });
  assert.deepEqual(f.handled.ids, ['a', 'b', 'c', 'd']);
  assert.deepEqual(f.resolved.ids, ['a', 'b']);
  assert.deepEqual(f.crossBorder.ids, ['a', 'b', 'd']);
  assert.equal(f.crossBorder.share, 0.75);
  assert.deepEqual(Object.fromEntries(Object.entries(f.crossBorder.byCountry).map(([k, v]) => [k, v.ids])), {
    NL: ['b'],
    RU: ['d'],
    US: ['a', 'b'],
  });
  assert.equal(f.notifications.count, 3);
  assert.deepEqual(f.notifications.byParty.hosting?.acted?.ids, ['n1']);
  assert.deepEqual(f.notifications.byParty.hosting?.['no-answer']?.ids, ['n2']);
  assert.deepEqual(f.notifications.byParty.cert?.acknowledged?.ids, ['n3']);
  // a took 4 h, b 10 h.
  assert.equal(f.medianHoursToResolution, 7);
  assert.deepEqual(f.period, { from: '2026-11-16T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z' });
});
