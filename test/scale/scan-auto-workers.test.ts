// `--workers auto`: a worker thread only where the input's size pays for its start-up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUTO_BYTES_PER_WORKER, autoWorkers } from '../../src/scale/scan/pipeline.js';

const MB = 1024 * 1024;

test('auto: the main thread below two workers’ worth of input, then one worker per share, up to the cores and four', () => {
  const cases: [bytes: number, cores: number, workers: number][] = [
    [0, 2, 0],
    [24 * MB, 2, 0], // evtx-attack-samples, 278 files
    [200 * MB, 2, 0], // the scan bench's smaller file: two workers were no faster there
    [2 * AUTO_BYTES_PER_WORKER - 1, 8, 0],
    [2 * AUTO_BYTES_PER_WORKER, 8, 2],
    [500 * MB, 2, 2],
    [1000 * MB, 2, 2],
    [1000 * MB, 1, 0], // one core: a worker would only add its start-up
    [1000 * MB, 8, 4],
    [100_000 * MB, 64, 4],
  ];
  for (const [bytes, cores, workers] of cases)
    assert.equal(autoWorkers(bytes, cores), workers, `${(bytes / MB).toFixed(0)} MB on ${cores} cores`);
});
