// The offline ASN/country database: what a worker thread gets from shared memory answers exactly as
// the database read from the package files, for IPv4 and IPv6, and the tables are shared, not copied.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { GeoDatabase } from '../../src/enrich/geo.js';

const ADDRESSES = ['8.8.8.8', '2.160.0.1', '1.0.0.1', '45.33.32.156', '10.0.0.1', '2001:4860:4860::8888', '2a00:1450:4001::1', '::1', 'not an address'];

test('a database made from shared tables answers as the one read from the files', () => {
  const read = new GeoDatabase();
  const expected = ADDRESSES.map((ip) => read.lookup(ip));
  assert.equal(expected[1]!.country, 'DE');
  assert.ok(expected[0]!.asn !== null && expected[5]!.asn !== null, 'IPv4 and IPv6 ASNs are found');
  const tables = read.shared();
  assert.ok(tables.country.buffer instanceof SharedArrayBuffer);
  assert.ok(tables.v4.starts.buffer instanceof SharedArrayBuffer);
  assert.ok(tables.v6 !== undefined, 'the IPv6 table was loaded by a lookup, so it is shared too');
  assert.equal(read.shared(), tables, 'made once');
  assert.deepEqual(ADDRESSES.map((ip) => read.lookup(ip)), expected, 'the sharing database reads its shared tables');
  assert.deepEqual(ADDRESSES.map((ip) => new GeoDatabase(tables).lookup(ip)), expected);
});

test('a worker thread reads the shared tables in place', async () => {
  const tables = new GeoDatabase().shared();
  // The worker writes into the table's memory; the change shows here, so it was not a copy.
  const worker = new Worker('const { parentPort, workerData } = require("node:worker_threads"); workerData.asns[0] = 4242424242; parentPort.postMessage("done");', {
    eval: true,
    workerData: tables.v4,
  });
  const original = tables.v4.asns[0];
  await new Promise((resolve) => worker.once('message', resolve));
  await worker.terminate();
  assert.equal(tables.v4.asns[0], 4242424242);
  tables.v4.asns[0] = original!;
});
