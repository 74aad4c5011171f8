// Feeds without an IntelMQ expected file (values checked by hand against the sample), sniffing of
// every sample, and hostile input: issues with a place, never a crash.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { arrayLines, checkValue, FeedEventBuilder, normaliseTime } from '../../../src/ingest/feeds/index.js';
import { corpusMissing } from '../../helpers/shared-data.js';
import { FEEDS, parsers, readExpected, run } from './support.js';

const skip = corpusMissing('feeds');
const report = (fileName: string) => ({ fileName, observation: '2026-01-01T00:00:00+00:00' });
const sample = (path: string): string => readFileSync(join(FEEDS, path), 'utf8');

describe('feeds: sniffing from content and file name', { skip }, () => {
  const cases: [string, string, string?][] = [
    ['shadowserver/current/test_smb.csv', 'shadowserver', '2019-01-01-test_smb-test-geo.csv'],
    ['shadowserver/historic-3.2/scan_ntp.csv', 'shadowserver', '2019-01-01-scan_ntp-test-geo.csv'],
    ['abusech/feodotracker_ipblocklist.json', 'feodotracker-json'],
    ['abusech/historic/feodotracker_ipblocklist_2021.csv', 'feodotracker-csv'],
    ['spamhaus/drop.txt', 'spamhaus-drop'],
    ['spamhaus/asndrop.txt', 'spamhaus-asndrop'],
    ['spamhaus/cert-feed.txt', 'spamhaus-cert'],
    ['cert-feeds/dshield_block.txt', 'dshield-block'],
    ['cert-feeds/blocklistde_imap.txt', 'blocklist.de'],
    ['cert-feeds/openphish_feed.txt', 'openphish'],
    ['cert-feeds/bambenek_c2-ipmasterlist.txt', 'bambenek'],
    ['cert-feeds/dataplane_sshpwauth.txt', 'dataplane'],
    ['cert-feeds/cymru_infected_20171031.txt', 'cymru-cap'],
    ['cert-feeds/cymru_certname_20190327.txt', 'cymru-cap'],
    ['cert-feeds/cert_eu_example.csv', 'cert-eu'],
    ['cert-feeds/cznic_example_proki.json', 'cznic-proki'],
    ['xarf/v4/connection-login-attack.json', 'xarf'],
    ['xarf/v3/botnet_v3_sample.json', 'xarf'],
    ['email/text_attachment.eml', 'email'],
    ['cert-feeds/microsoft_ctip.txt', 'microsoft-ctip'],
    ['cert-feeds/microsoft_ctip_azure.txt', 'microsoft-ctip-azure'],
    ['cert-feeds/html_table_feodotracker.html', 'feodotracker-html'],
  ];
  for (const [path, feed, name] of cases)
    it(`${path} → ${feed}`, () => {
      const text = sample(path);
      assert.equal(parsers.sniff(text.slice(0, 65536), name ?? path.split('/').pop()!)?.name, feed);
    });
  it('an unknown text is sniffed as nothing', () => assert.equal(parsers.sniff('hello\nworld\n', 'notes.txt'), undefined));
});

describe('feeds: parsers without an expected file', { skip }, () => {
  it('Feodo Tracker CSV (2021 format)', async () => {
    const { events, issues } = await run(parsers.get('feodotracker-csv'), sample('abusech/historic/feodotracker_ipblocklist_2021.csv'), report('ipblocklist.csv'));
    assert.deepEqual(issues, []);
    assert.equal(events.length, 2);
    assert.equal(events[0]!.fields['source.ip'], '10.213.75.205');
    assert.equal(events[0]!.fields['source.port'], 443);
    assert.equal(events[0]!.fields['malware.name'], 'dridex');
    assert.equal(events[0]!.fields['time.source'], '2021-01-17T07:30:05+00:00');
    assert.equal(events[0]!.fields['classification.taxonomy'], 'malicious-code');
  });
  it('Feodo Tracker HTML table: one event per row, columns by their titles', async () => {
    const { events, issues } = await run(parsers.get('feodotracker-html'), sample('cert-feeds/html_table_feodotracker.html'), report('browse.html'));
    assert.deepEqual(issues, []);
    assert.equal(events.length, 2);
    const { raw, ...fields } = events[0]!.fields;
    assert.deepEqual(fields, {
      'time.observation': '2026-01-01T00:00:00+00:00',
      'time.source': '2021-05-10T14:56:05+00:00',
      'source.ip': '94.177.255.18',
      'malware.name': 'dridex',
      status: 'online',
      'source.asn': 199883,
      'source.as_name': 'ARUBACLOUDLTD-ASN',
      'source.geolocation.cc': 'GB',
      'classification.type': 'c2-server',
      'classification.taxonomy': 'malicious-code',
    });
    assert.match(Buffer.from(String(raw), 'base64').toString('utf8'), /^<tr class="odd" role="row"><td class="sorting_1">2021-05-10 14:56:05<\/td>.*<\/tr>$/);
    assert.equal(events[1]!.fields['source.as_name'], 'TOT-LLI-AS-AP TOT Public Company Limited');
    assert.equal(events[1]!.fields.status, 'offline');
    assert.equal(events[0]!.line, events[1]!.line - 1, 'each row on its own line');
  });
  it('Microsoft CTIP Interflow: confidence scales the accuracy, an address in hostname is not a domain', async () => {
    const { events, issues } = await run(parsers.get('microsoft-ctip'), sample('cert-feeds/microsoft_ctip.txt'), report('ctip.json'));
    assert.deepEqual(issues, []);
    assert.ok(events.length >= 2);
    const first = events[0]!.fields;
    assert.equal(first['source.ip'], '224.0.5.8');
    assert.equal(first['source.port'], 1204);
    assert.equal(first['destination.ip'], '198.18.18.18');
    assert.equal(first['destination.port'], 443);
    assert.equal(first['source.asn'], 65536);
    assert.equal(first['malware.name'], 'b85-r2s');
    assert.equal(first['event_description.text'], 'Host is a member of Botnet B85-R2S');
    assert.equal(first.tlp, 'GREEN');
    assert.equal(first['feed.accuracy'], 20);
    assert.equal(first['time.source'], '2018-02-06T09:37:02+00:00');
    assert.equal(first['classification.type'], 'infected-system');
    assert.equal(first['destination.fqdn'], undefined, 'hostname was the destination address');
    assert.equal(first['extra.additionalmetadata'], undefined, '["null"] is no metadata');
    assert.equal(events[1]!.fields['feed.accuracy'], 100);
  });
  it('Microsoft CTIP Interflow: an unknown version is an issue at its item, the rest still read', async () => {
    const text = JSON.stringify([
      { version: 2, indicatorthreattype: 'Botnet', networksourceipv4: '192.0.2.1' },
      { version: 1.5, indicatorthreattype: 'Botnet', networksourceipv4: '192.0.2.2', confidence: 50 },
    ]);
    const { events, issues } = await run(parsers.get('microsoft-ctip'), text, report('ctip.json'));
    assert.equal(events.length, 1);
    assert.equal(events[0]!.fields['feed.accuracy'], 50);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.path, '/0');
    assert.match(issues[0]!.message, /version 2/);
  });
  it('OpenPhish: one phishing URL per line', async () => {
    const { events } = await run(parsers.get('openphish'), 'http://phish.example/login\nhttps://b.example/x\n', report('openphish.txt'));
    assert.deepEqual(events.map((e) => [e.fields['source.url'], e.fields['classification.type']]), [
      ['http://phish.example/login', 'phishing'],
      ['https://b.example/x', 'phishing'],
    ]);
  });
  it('Bambenek: indicator, malware family and time', async () => {
    const { events } = await run(parsers.get('bambenek'), sample('cert-feeds/bambenek_c2-ipmasterlist.txt'), report('c2-ipmasterlist.txt'));
    assert.ok(events.length > 0);
    assert.equal(events[0]!.fields['source.ip'], '213.247.47.190');
    assert.equal(events[0]!.fields['malware.name'], 'shiotob');
    assert.equal(events[0]!.fields['time.source'], '2016-11-12T18:02:00+00:00');
  });
  it('DataPlane: pipes inside the AS name', async () => {
    const { events } = await run(parsers.get('dataplane'), sample('cert-feeds/dataplane_sshpwauth.txt'), report('sshpwauth.txt'));
    const last = events.at(-1)!;
    assert.equal(last.fields['source.ip'], '1.2.3.4');
    assert.equal(last.fields['source.as_name'], 'TEST-AS company | With | pipe');
    assert.equal(last.fields['classification.type'], 'brute-force');
    assert.equal(events[0]!.fields['source.asn'], undefined, 'NA is no ASN');
  });
  it('Team Cymru CAP: notes become fields', async () => {
    const { events, issues } = await run(parsers.get('cymru-cap'), sample('cert-feeds/cymru_certname_20190327.txt'), report('certname.txt'));
    assert.deepEqual(issues, []);
    const nivdort = events.find((e) => e.fields['malware.name'] === 'nivdort')!;
    assert.equal(nivdort.fields['destination.ip'], '172.16.0.22');
    assert.equal(nivdort.fields['destination.port'], 80);
    assert.equal(nivdort.fields['classification.type'], 'infected-system');
  });
  it('CZ.NIC PROKI: IntelMQ names taken as they are', async () => {
    const { events } = await run(parsers.get('cznic-proki'), sample('cert-feeds/cznic_example_proki.json'), report('proki.json'));
    assert.ok(events.length > 0);
    assert.equal(events[0]!.fields['malware.name'], 'conficker');
    assert.equal(events[0]!.fields['destination.port'], 80);
  });
  it('X-ARF v4 and v3', async () => {
    const v4 = await run(parsers.get('xarf'), sample('xarf/v4/connection-login-attack.json'), report('x.json'));
    assert.equal(v4.events[0]!.fields['source.ip'], '198.51.100.77');
    assert.equal(v4.events[0]!.fields['classification.type'], 'brute-force');
    assert.equal(v4.events[0]!.fields['protocol.application'], 'ssh');
    assert.equal(v4.events[0]!.fields['time.source'], '2025-01-11T06:17:20+00:00');
    const v3 = await run(parsers.get('xarf'), sample('xarf/v3/botnet_v3_sample.json'), report('x.json'));
    assert.equal(v3.events[0]!.fields['source.ip'], '198.51.100.25');
    assert.equal(v3.events[0]!.fields['malware.name'], 'conficker');
  });
  it('e-mail with an X-ARF attachment gives the X-ARF event, tagged with the mail', async () => {
    const xarfDoc = sample('xarf/v4/connection-port-scan.json');
    const mail = [
      'From: abuse@isp.example', 'To: cert@example.org', 'Subject: Port scan from your network', 'Message-ID: <1@isp.example>',
      'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'See attached.', '--b',
      'Content-Type: application/json', 'Content-Disposition: attachment; filename="report.json"', 'Content-Transfer-Encoding: base64', '',
      Buffer.from(xarfDoc).toString('base64'), '--b--', '',
    ].join('\r\n');
    const { events } = await run(parsers.get('email'), mail, report('mail.eml'));
    assert.equal(events.length, 1);
    assert.equal(events[0]!.fields['classification.type'], 'scanner');
    assert.equal(events[0]!.fields['extra.mail_from'], 'abuse@isp.example');
  });
  it('plain abuse e-mail: addresses and URLs in the text, the original kept in raw', async () => {
    const mail = 'From: a@b.example\r\nSubject: Abuse from 203.0.113.9\r\nDate: Tue, 3 Sep 2019 16:57:40 +0200\r\n\r\nAt 2019-09-03 14:00:00 UTC 203.0.113.9 hit us; see hxxp://bad.example/x.\r\n';
    const { events } = await run(parsers.get('email'), mail, report('mail.eml'));
    assert.deepEqual(events.map((e) => e.fields['source.ip'] ?? e.fields['source.url']), ['http://bad.example/x', '203.0.113.9']);
    assert.equal(events[1]!.fields['time.source'], '2019-09-03T14:00:00+00:00');
    // Line ends become LF as the lines are read (docs/feeds.md).
    assert.equal(Buffer.from(String(events[1]!.fields.raw), 'base64').toString(), mail.replace(/\r\n/g, '\n').replace(/\n$/, ''));
  });
  it('IntelMQ mail samples: text attachment without indicators is a warning, not a crash', async () => {
    const { events, issues } = await run(parsers.get('email'), sample('email/text_attachment.eml'), report('text_attachment.eml'));
    assert.equal(events.length, 0);
    assert.equal(issues[0]!.code, 'email.no-indicators');
  });
});

describe('feeds: hostile and broken input', { skip }, () => {
  it('IntelMQ\'s broken Shadowserver reports are issues naming the report', async () => {
    const d = readExpected('shadowserver/historic-3.2/NEGATIVE_broken_reports.json');
    for (const r of Object.values(d) as Record<string, string>[]) {
      const text = Buffer.from(r.raw!, 'base64').toString();
      const { issues } = await run(parsers.get('shadowserver'), text, report(r['extra.file_name']!));
      assert.ok(issues.length > 0, r['extra.file_name']);
      assert.ok(issues.every((i) => i.file === r['extra.file_name']));
    }
  });
  it('a changed column set in a schema report is an issue naming the columns', async () => {
    const text = '"timestamp","ip","port","brand_new"\n"2019-01-01 00:00:00",192.0.2.1,445,x\n';
    const { events, issues } = await run(parsers.get('shadowserver'), text, report('2019-01-01-test_smb-x.csv'));
    assert.match(issues[0]!.message, /test_smb: columns not in the schema .*brand_new/);
    assert.equal(events[0]!.fields['extra.brand_new'], 'x');
  });
  it('a required column missing stops that report with an issue', async () => {
    const { events, issues } = await run(parsers.get('shadowserver'), '"timestamp","port"\n"2019-01-01 00:00:00",445\n', report('2019-01-01-test_smb-x.csv'));
    assert.equal(events.length, 0);
    assert.match(issues[0]!.message, /required columns missing: ip/);
  });
  it('an invalid value is an issue on the event, the line kept', async () => {
    const { events } = await run(parsers.get('spamhaus-asndrop'), '; Spamhaus\nAS0 ; AE | Zero\n', report('asndrop.txt'));
    assert.equal(events.length, 1);
    assert.equal(events[0]!.fields['source.asn'], undefined);
    assert.equal(events[0]!.issues[0]!.code, 'feed.field.invalid');
    assert.equal(events[0]!.issues[0]!.line, 2);
    assert.equal(events[0]!.issues[0]!.path, 'source.asn');
    assert.equal(Buffer.from(String(events[0]!.fields.raw), 'base64').toString(), 'AS0 ; AE | Zero');
  });
  it('__proto__ as a column is a field, not a prototype', async () => {
    const text = '"timestamp","ip","port","__proto__"\n"2019-01-01 00:00:00",192.0.2.1,445,polluted\n';
    const { events } = await run(parsers.get('shadowserver'), text, report('2019-01-01-scan_zzz-x.csv'));
    assert.equal(events[0]!.fields['extra.__proto__'], 'polluted');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
  it('an unclosed quote is one issue at its line, not a hang', async () => {
    const { issues } = await run(parsers.get('cert-eu'), 'feed code,source ip\n"RI,1.2.3.4\n', report('x.csv'));
    assert.equal(issues[0]!.code, 'feed.csv.unclosed-quote');
    assert.equal(issues[0]!.line, 2);
  });
  it('broken JSON is one issue', async () => {
    const { events, issues } = await run(parsers.get('feodotracker-json'), '[{"ip_address": ', report('x.json'));
    assert.equal(events.length, 0);
    assert.equal(issues[0]!.code, 'feed.json.invalid');
  });
  it('lines are streamed: a report of many lines yields events before the end', async () => {
    async function* endless() {
      for (let i = 0; ; i++) yield await Promise.resolve({ text: `192.0.2.${i % 250}`, number: i + 1 });
    }
    let n = 0;
    for await (const r of parsers.get('openphish').parse(arrayLines(''), report('x'))) n += 'event' in r ? 1 : 0;
    assert.equal(n, 0);
    for await (const r of parsers.get('blocklist.de').parse(endless(), report('blocklist_ssh.txt'))) {
      assert.ok('event' in r);
      if (++n === 1000) break;
    }
    assert.equal(n, 1000);
  });
});

describe('feeds: value checks', () => {
  it('the event builder gives fields in sorted key order, the last value set, and __proto__ as a field', () => {
    for (let round = 0; round < 2; round++) {
      // Round two builds from the cached shape of round one's key sequence.
      const b = new FeedEventBuilder({ feedName: 'Test', observation: '2024-03-02T00:00:00+00:00', fileName: 'x.csv' }, { file: 'x.csv', line: 2 });
      assert.equal(b.set('source.ip', '192.0.2.1'), true);
      assert.equal(b.set('source.port', '445'), true);
      assert.equal(b.set('source.port', 'x'), false);
      assert.equal(b.set('extra.__proto__', 'evil'), true);
      assert.equal(b.setDefault('source.ip', '192.0.2.9'), false);
      assert.equal(b.set('source.ip', `192.0.2.${round + 5}`), true);
      assert.equal(b.setDefault('classification.type', 'scanner'), true);
      assert.equal(b.get('source.port'), 445);
      assert.equal(b.get('source.asn'), undefined);
      assert.equal(b.has('classification.type'), true);
      b.setChecked('__proto__', 'also a field');
      const event = b.finish('192.0.2.1,445');
      assert.deepEqual(Object.keys(event.fields), [
        '__proto__', 'classification.taxonomy', 'classification.type', 'extra.__proto__', 'feed.name', 'raw', 'source.ip', 'source.port', 'time.observation',
      ]);
      assert.equal(event.fields['source.ip'], `192.0.2.${round + 5}`);
      assert.equal(event.fields['classification.taxonomy'], 'information-gathering');
      assert.equal(Object.getPrototypeOf(event.fields), Object.prototype);
      assert.equal(Object.getOwnPropertyDescriptor(event.fields, '__proto__')?.value, 'also a field');
      assert.equal(event.issues.length, 1);
      assert.equal(event.issues[0]!.path, 'source.port');
    }
  });

  it('times to IntelMQ form', () => {
    // Shadowserver's form, read without a Date once its day is known, and every odd case as before.
    for (const [text, want] of [
      ['2024-03-01 10:11:12', '2024-03-01T10:11:12+00:00'],
      ['2024-03-01 23:59:59', '2024-03-01T23:59:59+00:00'],
      ['2024-03-01 24:00:00', undefined],
      ['2024-03-01 10:11:60', '2024-03-01T10:12:00+00:00'],
      ['2024-02-30 10:00:00', '2024-03-01T10:00:00+00:00'],
      ['2024-02-30 11:00:00', '2024-03-01T11:00:00+00:00'],
      ['2024-13-01 10:00:00', undefined],
      ['2024-03-01 1a:00:00', undefined],
      ['2024-03-01T10:11:12', '2024-03-01T10:11:12+00:00'],
      ['2024-03-02 00:00:01', '2024-03-02T00:00:01+00:00'],
    ] as const)
      assert.equal(normaliseTime(text), want, text);
    assert.equal(normaliseTime('2010-02-10 00:00:00'), '2010-02-10T00:00:00+00:00');
    assert.equal(normaliseTime('2019-04-01 03:13:20Z'), '2019-04-01T03:13:20+00:00');
    assert.equal(normaliseTime('2019-04-01T05:13:20+02:00'), '2019-04-01T03:13:20+00:00');
    assert.equal(normaliseTime(1495782036), '2017-05-26T07:00:36+00:00');
    assert.equal(normaliseTime('Mon, 14 Sep 2015 04:39:22 GMT'), '2015-09-14T04:39:22+00:00');
    assert.equal(normaliseTime('2020-05-24T22:45:28.487+00:00'), '2020-05-24T22:45:28.487000+00:00');
    assert.equal(normaliseTime('yesterday'), undefined);
  });
  it('values checked by type', () => {
    assert.deepEqual(checkValue('source.ip', '2001:DB8::1'), { value: '2001:db8::1' });
    assert.ok('problem' in checkValue('source.ip', '300.1.1.1'));
    assert.deepEqual(checkValue('source.asn', 'AS64496'), { value: 64496 });
    assert.deepEqual(checkValue('tlp', 'amber'), { value: 'AMBER' });
    assert.ok('problem' in checkValue('classification.type', 'nonsense'));
    assert.ok('problem' in checkValue('source.fqdn', '192.0.2.1'));
    assert.ok('problem' in checkValue('no.such.field', 'x'));
    assert.deepEqual(checkValue('extra.anything', 5), { value: 5 });
  });
});
