// A Sigma rule as a hunt over stored events: the same engine as a scan, narrowed by the store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, EventFields } from '../../src/core/event.js';
import { hunt } from '../../src/store/hunt.js';
import { SqliteStore } from '../../src/store/index.js';

const RULE = `title: PsExec service
id: 42c575ea-e41e-41f1-b248-8093c3e82a28
logsource: {product: windows, service: system}
detection:
  selection: {Provider_Name: Service Control Manager, EventID: 7045, ServiceName: PSEXESVC}
  condition: selection
level: medium
`;

function install(host: string, minute: number, service: string): Event {
  const fields: EventFields = {
    EventID: 7045,
    Channel: 'System',
    Provider_Name: 'Service Control Manager',
    Computer: host,
    ServiceName: service,
  };
  return {
    timestamp: Date.UTC(2026, 4, 12, 3, minute),
    source: { kind: 'evtx', file: `${host}.evtx`, recordId: minute },
    fields,
  };
}

test('hunt: a rule over stored events, narrowed by host and time; broken rules are problems', async () => {
  const store = new SqliteStore(':memory:');
  await store.events.add([
    install('WS-1.corp', 1, 'PSEXESVC'),
    install('WS-2.corp', 2, 'PSEXESVC'),
    install('WS-2.corp', 3, 'Spooler'),
    install('WS-3.corp', 40, 'PSEXESVC'),
  ]);
  const all = await hunt(store, RULE, 'psexec.yml');
  assert.equal(all.scanned, 4);
  assert.deepEqual(
    all.detections.map((d) => d.host),
    ['WS-1.corp', 'WS-2.corp', 'WS-3.corp'],
  );
  assert.ok(
    all.detections.every((d) => typeof d.eventId === 'string' && /^\d+\.[0-9a-f]{40}$/.test(d.eventId)),
  );
  const narrowed = await hunt(store, RULE, 'psexec.yml', { host: 'WS-2', to: Date.UTC(2026, 4, 12, 3, 30) });
  assert.equal(narrowed.scanned, 2);
  assert.equal(narrowed.detections.length, 1);
  const broken = await hunt(store, 'title: x\ndetection: {condition: nope}\n', 'broken.yml');
  assert.ok(broken.problems.some((p) => p.severity === 'error' && p.file === 'broken.yml'));
  assert.equal(broken.detections.length, 0);
  await store.close();
});

test('hunt: bounded by the events it may read, and says so', async () => {
  const store = new SqliteStore(':memory:');
  try {
    await store.events.add([
      install('WS-1', 1, 'PSEXESVC'),
      install('WS-2', 2, 'Other'),
      install('WS-3', 3, 'PSEXESVC'),
    ]);
    const whole = await hunt(store, RULE, 'r.yml');
    assert.deepEqual([whole.scanned, whole.truncated, whole.detections.length], [3, false, 2]);
    const cut = await hunt(store, RULE, 'r.yml', {}, 10_000, 2);
    assert.deepEqual([cut.scanned, cut.truncated, cut.detections.map((d) => d.host)], [2, true, ['WS-1']]);
  } finally {
    await store.close();
  }
});
