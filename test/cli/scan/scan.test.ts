// `vigil scan` and `vigil rules` end to end, as a user runs them, over a small real .evtx from the
// shared corpus (a Meterpreter MSI package: msiexec, then cmd and whoami) and rule directories
// written per test. Most runs call the CLI's main() in this process with stdout and stderr captured
// (fast: the modules load once); a few run `node --import tsx test/helpers/run-cli.ts` as a child
// process, to show the exit code reaches the shell.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../../src/cli/main.js';
import { corpusMissing, SHARED_DATA } from '../../helpers/shared-data.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const RUN_CLI = join(ROOT, 'test', 'helpers', 'run-cli.ts');
const SAMPLE = 'evtx-attack-samples/Execution/Exec_sysmon_meterpreter_reversetcp_msipackage.evtx';
const EVTX = join(SHARED_DATA, SAMPLE);
const skip = corpusMissing(SAMPLE);

const scratch = mkdtempSync(join(tmpdir(), 'vigil-scan-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;
const tempDir = (name: string): string => {
  const dir = join(scratch, `${++dirs}-${name}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment of a run: its own data directory and no VIGIL_RULES unless given. */
function cliEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, VIGIL_DATA: tempDir('data'), ...env };
  if (!('VIGIL_RULES' in env)) delete childEnv.VIGIL_RULES;
  return childEnv;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * `vigil ARGS…` through main() in this process. Runs one at a time: process.env and the string
 * writes to stdout and stderr are swapped for the run (the test runner's own reports are not strings
 * and pass through).
 */
function vigil(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const run = async (): Promise<CliResult> => {
    const savedEnv = process.env;
    const writes = { stdout: '', stderr: '' };
    const capture = (stream: NodeJS.WriteStream, key: 'stdout' | 'stderr') => {
      const own = Object.getOwnPropertyDescriptor(stream, 'write');
      const original = stream.write.bind(stream);
      stream.write = (chunk: unknown, ...rest: unknown[]): boolean => {
        if (typeof chunk !== 'string') {
          const written: boolean = Reflect.apply(original, stream, [chunk, ...rest]);
          return written;
        }
        writes[key] += chunk;
        const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        if (callback) process.nextTick(callback);
        return true;
      };
      return () => {
        if (own) Object.defineProperty(stream, 'write', own);
        else delete (stream as { write?: unknown }).write;
      };
    };
    process.env = cliEnv(env);
    const restoreOut = capture(process.stdout, 'stdout');
    const restoreErr = capture(process.stderr, 'stderr');
    try {
      const code = await main(args);
      return { code, ...writes };
    } finally {
      restoreErr();
      restoreOut();
      process.env = savedEnv;
    }
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

/** `vigil ARGS…` as a child process, the way the shell sees it. */
function vigilProcess(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUN_CLI, ...args], {
      cwd: ROOT,
      env: cliEnv(env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

// ---------------------------------------------------------------------------------------------------
// Rules for the sample: whoami (high), cmd (low), a binary run from the Windows Installer folder
// (medium), and a correlation: a shell, then whoami, on one computer within 10 minutes (medium).

const WHOAMI_ID = '7f3f1c2a-2b0e-4a63-9d4e-0b8b6f0c0001';
const RULES: Record<string, string> = {
  'whoami.yml': `title: Whoami run (test)
id: ${WHOAMI_ID}
name: whoami_run
status: test
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\\whoami.exe'
  condition: selection
tags:
  - attack.discovery
  - attack.t1033
level: high
`,
  'cmd.yml': `title: Command shell started (test)
id: 7f3f1c2a-2b0e-4a63-9d4e-0b8b6f0c0002
name: cmd_shell
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\\cmd.exe'
  condition: selection
level: low
`,
  'installer.yml': `title: Process from the Windows Installer folder (test)
id: 7f3f1c2a-2b0e-4a63-9d4e-0b8b6f0c0003
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|contains: '\\Windows\\Installer\\'
  condition: selection
level: medium
`,
  'mr_shell_then_whoami.yml': `title: Shell then whoami (test)
id: 7f3f1c2a-2b0e-4a63-9d4e-0b8b6f0c0004
correlation:
  type: temporal_ordered
  rules:
    - cmd_shell
    - whoami_run
  group-by:
    - Computer
  timespan: 10m
generate: true
level: medium
`,
};

function ruleDir(extra: Record<string, string> = {}): string {
  const dir = tempDir('rules');
  for (const [name, text] of Object.entries({ ...RULES, ...extra })) writeFileSync(join(dir, name), text);
  return dir;
}

const CMD_SHA256 = '17F746D82695FA9B35493B41859D39D786D32B23A9D2E00F4011DEC7A02402AE';
const WHOAMI_MD5 = '0EBF71E33EF09CA65D9683AFA999C473';

type Line = {
  kind: string;
  rule_id: string;
  rule_title: string;
  level: string;
  timestamp: string;
  host: string | null;
  tags: string[];
  source: { file: string; kind: string; record_id?: number; line?: number };
  fields: Record<string, unknown>;
};

const jsonl = (text: string): Line[] =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Line);

/** RFC 4180 CSV (quoted cells, doubled quotes, commas and newlines inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else if (c !== '\r') cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** `vigil scan EVTX` into a file, in the main thread, without the summary. */
async function scan(
  format: 'jsonl' | 'csv',
  more: readonly string[],
  rules = ruleDir(),
): Promise<CliResult & { output: string }> {
  const out = join(tempDir('out'), `detections.${format}`);
  const result = await vigil([
    'scan',
    EVTX,
    '--rules',
    rules,
    '--format',
    format,
    '--out',
    out,
    '--no-summary',
    '--workers',
    '0',
    ...more,
  ]);
  return { ...result, output: existsSync(out) ? readFileSync(out, 'utf8') : '' };
}

describe('vigil scan', { skip }, () => {
  test('--format jsonl: one detection a line, with the documented keys and values', async () => {
    const { code, output, stderr } = await scan('jsonl', ['--fail-level', 'critical']);
    assert.equal(code, 0, stderr);
    const lines = jsonl(output);
    // record_id is the number in the EVTX record header; this sample was exported from a larger log,
    // so the System EventRecordID of the same records (10151, 10153, 10154) differs.
    assert.deepEqual(
      lines.map((l) => [l.rule_title, l.level, l.source.record_id]),
      [
        ['Process from the Windows Installer folder (test)', 'medium', 5],
        ['Command shell started (test)', 'low', 7],
        ['Whoami run (test)', 'high', 8],
        ['Shell then whoami (test)', 'medium', 8],
      ],
    );
    for (const line of lines) {
      for (const key of ['rule_id', 'rule_title', 'level', 'timestamp', 'host', 'tags', 'source', 'fields'])
        assert.ok(key in line, `${key} in ${JSON.stringify(line)}`);
      assert.equal(line.source.file, EVTX);
      assert.equal(line.source.kind, 'evtx');
      assert.equal(line.host, 'IEWIN7');
      assert.match(line.timestamp, /^2019-04-30T22:\d\d:\d\d\.\d{3}Z$/);
    }
    const whoami = lines.find((l) => l.rule_id === WHOAMI_ID)!;
    assert.equal(whoami.kind, 'sigma');
    assert.equal(whoami.timestamp, '2019-04-30T22:52:27.588Z');
    assert.deepEqual(whoami.tags, ['attack.discovery', 'attack.t1033']);
    assert.equal(whoami.fields.Image, 'C:\\Windows\\System32\\whoami.exe');
    assert.equal(whoami.fields.CommandLine, 'whoami');
    const correlation = lines.find((l) => l.kind === 'correlation')!;
    assert.equal(correlation.fields.Computer, 'IEWIN7');
    assert.equal(correlation.timestamp, whoami.timestamp);
  });

  test('exit code: 1 when a detection reaches --fail-level, 0 when none does', async () => {
    const runs = await Promise.all(
      (['critical', 'high', 'medium', 'low'] as const).map(async (level) => {
        const { code } = await scan('jsonl', ['--fail-level', level]);
        return [level, code];
      }),
    );
    assert.deepEqual(runs, [
      ['critical', 0],
      ['high', 1],
      ['medium', 1],
      ['low', 1],
    ]);
  });

  test('the default --fail-level is high', async () => {
    assert.equal((await scan('jsonl', [])).code, 1);
  });

  test('--format csv: the header, then one row per detection with record numbers', async () => {
    const [{ code, output }, json] = await Promise.all([
      scan('csv', ['--fail-level', 'critical']),
      scan('jsonl', ['--fail-level', 'critical']),
    ]);
    assert.equal(code, 0);
    const [header, ...rows] = parseCsv(output);
    assert.deepEqual(header, [
      'timestamp',
      'level',
      'host',
      'rule_title',
      'rule_id',
      'tags',
      'fields',
      'file',
      'record',
    ]);
    const expected = jsonl(json.output);
    assert.equal(rows.length, expected.length);
    rows.forEach((row, i) => {
      const line = expected[i]!;
      assert.deepEqual(row.slice(0, 5), [
        line.timestamp,
        line.level,
        line.host,
        line.rule_title,
        line.rule_id,
      ]);
      assert.equal(row[5], line.tags.join(' '));
      assert.equal(row[7], EVTX);
      assert.equal(row[8], String(line.source.record_id));
    });
    const whoami = rows.find((r) => r[4] === WHOAMI_ID)!;
    assert.match(whoami[6]!, /Image=C:\\Windows\\System32\\whoami\.exe/);
  });

  test('--indicators: hashes from a list and a CSV hit the Sysmon Hashes of cmd and whoami', async () => {
    const dir = tempDir('iocs');
    const list = join(dir, 'hashes.txt');
    writeFileSync(list, `# from a partner CERT\n${CMD_SHA256.toLowerCase()}\n`);
    const csv = join(dir, 'feed.csv');
    writeFileSync(csv, `value,type,description,level\n${WHOAMI_MD5},md5,whoami as shipped,critical\n`);
    const { code, output, stderr } = await scan('jsonl', [
      '--indicators',
      list,
      csv,
      '--fail-level',
      'critical',
    ]);
    assert.equal(code, 1, stderr);
    const hits = jsonl(output).filter((l) => l.kind === 'indicator');
    assert.deepEqual(
      hits.map((h) => [h.rule_id, h.level, h.source.record_id]),
      [
        [`ioc:sha256:${CMD_SHA256.toLowerCase()}`, 'high', 7],
        [`ioc:md5:${WHOAMI_MD5}`, 'critical', 8],
      ],
    );
    assert.match(String(hits[0]!.fields.Hashes), new RegExp(`SHA256=${CMD_SHA256}`));
    assert.match(hits[1]!.rule_title, /whoami as shipped/);
    assert.equal(hits[1]!.host, 'IEWIN7');
  });

  test('--min-level drops detections below it, correlations included', async () => {
    const [high, medium] = await Promise.all([
      scan('jsonl', ['--min-level', 'high', '--fail-level', 'critical']),
      scan('jsonl', ['--min-level', 'medium', '--fail-level', 'critical']),
    ]);
    assert.deepEqual(
      jsonl(high.output).map((l) => l.rule_title),
      ['Whoami run (test)'],
    );
    assert.deepEqual(
      jsonl(medium.output).map((l) => l.rule_title),
      ['Process from the Windows Installer folder (test)', 'Whoami run (test)', 'Shell then whoami (test)'],
    );
  });

  test('worker threads give the same detections as the main thread, correlations included', async () => {
    const rules = ruleDir();
    const [inMain, workers] = await Promise.all([
      scan('jsonl', ['--fail-level', 'critical'], rules),
      scan('jsonl', ['--fail-level', 'critical', '--workers', '2'], rules),
    ]);
    assert.equal(workers.code, 0, workers.stderr);
    assert.equal(workers.output, inMain.output);
    assert.equal(jsonl(workers.output).length, 4);
  });

  test('equal times in several files come out in one order, with or without worker threads', async () => {
    // Three copies of one log: every detection has two twins at the same time, in other files.
    const evidence = tempDir('copies');
    for (const name of ['c.evtx', 'a.evtx', 'b.evtx']) copyFileSync(EVTX, join(evidence, name));
    const rules = ruleDir();
    const run = async (workers: string): Promise<string> => {
      const out = join(tempDir('out'), 'detections.jsonl');
      const result = await vigil([
        'scan',
        evidence,
        '--rules',
        rules,
        '--format',
        'jsonl',
        '--out',
        out,
        '--no-summary',
        '--fail-level',
        'critical',
        '--workers',
        workers,
      ]);
      assert.equal(result.code, 0, result.stderr);
      return readFileSync(out, 'utf8');
    };
    const [inMain, workers, again] = await Promise.all([run('0'), run('2'), run('2')]);
    const lines = jsonl(inMain);
    assert.equal(lines.length, 10); // three rules per copy, and one correlation over the three
    assert.deepEqual(
      lines.slice(0, 3).map((l) => l.source.file.slice(-6)),
      ['a.evtx', 'b.evtx', 'c.evtx'],
    );
    assert.equal(workers, inMain);
    assert.equal(again, inMain);
  });

  test('--workers auto scans a small input on the main thread; --workers N on N workers; the summary says which', async () => {
    const evidence = tempDir('two-copies');
    for (const name of ['a.evtx', 'b.evtx']) copyFileSync(EVTX, join(evidence, name));
    const rules = ruleDir();
    const run = async (workers: readonly string[]) => {
      const out = join(tempDir('out'), 'detections.jsonl');
      const result = await vigil(['scan', evidence, '--rules', rules, '--format', 'jsonl', '--out', out, ...workers]);
      assert.equal(result.code, 1, result.stderr);
      return { summary: /Scanned .*/.exec(result.stderr)?.[0] ?? result.stderr, output: readFileSync(out, 'utf8') };
    };
    const [auto, two, main] = await Promise.all([run([]), run(['--workers', '2']), run(['--workers', '0'])]);
    assert.match(auto.summary, /Scanned 2 files, .* on the main thread: \d+ detections\./);
    assert.match(two.summary, / on 2 worker threads: /);
    assert.match(main.summary, / on the main thread: /);
    assert.equal(two.output, main.output);
    assert.equal(auto.output, main.output);
  });

  test('exit code 2: a missing evidence path, a missing rule folder or list, a usage error', async () => {
    const rules = ruleDir();
    const out = join(tempDir('out'), 'x.jsonl');
    const cases: [string, string[]][] = [
      ['missing evidence', ['scan', join(scratch, 'no-such-evidence'), '--rules', rules, '--workers', '0']],
      ['missing rules', ['scan', EVTX, '--rules', join(scratch, 'no-such-rules'), '--workers', '0']],
      [
        'missing indicator list',
        ['scan', EVTX, '--rules', rules, '--indicators', join(scratch, 'no-such.txt'), '--workers', '0'],
      ],
      ['unknown format', ['scan', EVTX, '--rules', rules, '--format', 'xml']],
      ['unknown level', ['scan', EVTX, '--rules', rules, '--min-level', 'severe']],
      ['workers not a number', ['scan', EVTX, '--rules', rules, '--workers', 'two']],
      ['workers not whole', ['scan', EVTX, '--rules', rules, '--workers', '1.5']],
      ['no path', ['scan', '--rules', rules]],
      ['unknown option', ['scan', EVTX, '--rules', rules, '--no-such-option']],
      ['unknown command', ['scna', EVTX]],
    ];
    const results = await Promise.all(
      cases.map(async ([name, args]) => [name, (await vigil([...args, '--out', out])).code] as const),
    );
    assert.deepEqual(
      results,
      cases.map(([name]) => [name, 2]),
    );
  });
});

describe('vigil as a process', { skip, concurrency: true }, () => {
  test('findings are exit 1, a usage error 2, a failed rules check 1, a clean scan 0', async () => {
    const rules = ruleDir();
    const broken = ruleDir({ 'broken.yml': 'title: Broken\nlogsource: {product: windows}\ndetection: {}\n' });
    const out = join(tempDir('out'), 'd.jsonl');
    const common = ['--rules', rules, '--format', 'jsonl', '--out', out, '--workers', '0', '--no-summary'];
    const [findings, usage, check, clean] = await Promise.all([
      vigilProcess(['scan', EVTX, ...common]),
      vigilProcess(['scan', EVTX, '--rules', rules, '--format', 'xml']),
      vigilProcess(['rules', 'check', broken]),
      vigilProcess(['scan', EVTX, ...common, '--fail-level', 'critical']),
    ]);
    assert.equal(findings.code, 1, findings.stderr);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /xml/);
    assert.equal(check.code, 1);
    assert.match(check.stdout, /broken\.yml:\d+/);
    assert.equal(clean.code, 0, clean.stderr);
  });
});

describe('vigil rules', { skip }, () => {
  test('check: a clean folder passes with exit 0 and counts what it compiled', async () => {
    const { code, stdout } = await vigil(['rules', 'check', ruleDir()]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /3 rules compiled, 1 correlations, 0 filters; 0 refused; 0 errors/);
  });

  test('check: a broken rule and a broken correlation are reported with file:line, exit 1', async () => {
    const broken = [
      'title: Broken rule', // 1
      'id: 7f3f1c2a-2b0e-4a63-9d4e-0b8b6f0c00ff', // 2
      'logsource:', // 3
      '  product: windows', // 4
      '  category: process_creation', // 5
      'detection:', // 6
      '  selection:', // 7
      '    Image|nosuchmodifier: x', // 8
      '  condition: selection', // 9
      '',
    ].join('\n');
    const brokenCorrelation = [
      'title: Good rule in the same file', // 1
      'id: 7f3f1c2a-2b0e-4a63-9d4e-0b8b6f0c00fe', // 2
      'logsource: {product: windows, category: process_creation}', // 3
      'detection: {selection: {Image|endswith: \\calc.exe}, condition: selection}', // 4
      '---', // 5
      'title: Broken correlation', // 6
      'correlation:', // 7
      '  type: event_count', // 8
      '  rules: [whoami_run]', // 9
      '  timespan: one hour', // 10
      '  condition: {gte: 2}', // 11
      '',
    ].join('\n');
    const dir = ruleDir({ 'broken.yml': broken, 'mr_broken.yml': brokenCorrelation });
    const { code, stdout } = await vigil(['rules', 'check', dir]);
    assert.equal(code, 1, stdout);
    const file = (name: string) => join(dir, name).replace(/[.\\]/g, (c) => `\\${c}`);
    assert.match(
      stdout,
      new RegExp(`${file('broken.yml')}:8(:\\d+)? detection\\.selection\\.Image\\|nosuchmodifier: error`),
    );
    assert.match(
      stdout,
      new RegExp(`${file('mr_broken.yml')}:6 correlation\\.timespan: error sigma\\.correlation\\.timespan`),
    );
    assert.match(stdout, /4 rules compiled, 1 correlations, 0 filters; 2 refused; 2 errors/);
  });

  test('check: a YAML syntax error is reported with its line', async () => {
    const dir = ruleDir({
      'bad-yaml.yml': 'title: x\ndetection:\n  selection: [unclosed\n  condition: selection\n',
    });
    const { code, stdout } = await vigil(['rules', 'check', dir]);
    assert.equal(code, 1, stdout);
    assert.match(stdout, /bad-yaml\.yml:\d+: error sigma\.yaml\.invalid/);
  });

  test('update --from installs a pack into the data directory; scan and list use it by default', async () => {
    const data = tempDir('data');
    const pack = tempDir('pack');
    mkdirSync(join(pack, 'rules', 'windows'), { recursive: true });
    for (const [name, text] of Object.entries(RULES))
      writeFileSync(join(pack, 'rules', 'windows', name), text);
    mkdirSync(join(pack, 'regression_data'));
    writeFileSync(join(pack, 'regression_data', 'info.yml'), 'not: a rule\n');

    const installed = await vigil(['rules', 'update', '--from', pack], { VIGIL_DATA: data });
    assert.equal(installed.code, 0, installed.stderr);
    assert.match(installed.stdout, /installed 3 rules into/);
    assert.ok(existsSync(join(data, 'rules', 'pack', 'rules', 'windows', 'whoami.yml')));
    assert.ok(!existsSync(join(data, 'rules', 'pack', 'regression_data')), 'regression data left out');

    const out = join(tempDir('out'), 'd.jsonl');
    const [scanned, listed] = await Promise.all([
      vigil(['scan', EVTX, '--format', 'jsonl', '--out', out, '--workers', '0', '--no-summary'], {
        VIGIL_DATA: data,
      }),
      vigil(['rules', 'list', '--format', 'jsonl'], { VIGIL_DATA: data }),
    ]);
    assert.equal(scanned.code, 1, scanned.stderr);
    assert.deepEqual(
      jsonl(readFileSync(out, 'utf8')).map((l) => l.rule_title),
      [
        'Process from the Windows Installer folder (test)',
        'Command shell started (test)',
        'Whoami run (test)',
        'Shell then whoami (test)',
      ],
    );
    assert.equal(listed.stdout.trim().split('\n').length, 3);

    // Updating again replaces the pack rather than mixing the two.
    const smaller = tempDir('pack2');
    writeFileSync(join(smaller, 'whoami.yml'), RULES['whoami.yml']!);
    const again = await vigil(['rules', 'update', '--from', smaller], { VIGIL_DATA: data });
    assert.equal(again.code, 0, again.stderr);
    assert.ok(!existsSync(join(data, 'rules', 'pack', 'rules')));
    assert.ok(existsSync(join(data, 'rules', 'pack', 'whoami.yml')));
  });

  test('update: a missing folder, a folder without rules, or a URL is exit code 2', async () => {
    const empty = tempDir('empty-pack');
    const results = await Promise.all(
      [join(scratch, 'no-such-pack'), empty, 'https://example.org/sigma.zip'].map(
        async (from) => (await vigil(['rules', 'update', '--from', from])).code,
      ),
    );
    assert.deepEqual(results, [2, 2, 2]);
  });

  test('VIGIL_RULES names the rules when --rules is not given', async () => {
    const out = join(tempDir('out'), 'd.jsonl');
    const only = tempDir('only-whoami');
    writeFileSync(join(only, 'whoami.yml'), RULES['whoami.yml']!);
    const { code } = await vigil(
      ['scan', EVTX, '--format', 'jsonl', '--out', out, '--workers', '0', '--no-summary'],
      {
        VIGIL_RULES: only,
      },
    );
    assert.equal(code, 1);
    assert.deepEqual(
      jsonl(readFileSync(out, 'utf8')).map((l) => l.rule_id),
      [WHOAMI_ID],
    );
  });
});
