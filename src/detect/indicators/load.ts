/**
 * Indicator lists: plain (one per line, `#` comments, optional `type:` prefix) or CSV with a header
 * naming the value column (value, indicator, ioc …) and optionally type, description, tags, level.
 * A bad line is an issue with file and line; the rest loads.
 */
import { readFile } from 'node:fs/promises';
import type { Issue } from '../../core/issue.js';
import { issue } from '../../core/issue.js';
import { guessType, type Indicator, type IndicatorType } from './model.js';

const HASHES: ReadonlySet<IndicatorType> = new Set(['md5', 'sha1', 'sha256']);

/** The type a value declared as `declared` has, or undefined when the value is not one. */
function declaredType(declared: IndicatorType, value: string): IndicatorType | undefined {
  const shape = guessType(value);
  if (shape === declared) return declared;
  // `hash` (and a mislabelled hash column) holds any of the three; the length tells which.
  if (shape && HASHES.has(declared) && HASHES.has(shape)) return shape;
  if ((declared === 'ip' || declared === 'cidr') && (shape === 'ip' || shape === 'cidr')) return shape;
  // Host names without a public suffix (intranet names) are still domains when declared so.
  if (declared === 'domain' && /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?$/i.test(value.trim())) return declared;
  return undefined;
}

const TYPES: Record<string, IndicatorType> = {
  ip: 'ip',
  ipv4: 'ip',
  ipv6: 'ip',
  'ip-dst': 'ip',
  'ip-src': 'ip',
  cidr: 'cidr',
  network: 'cidr',
  domain: 'domain',
  hostname: 'domain',
  fqdn: 'domain',
  url: 'url',
  uri: 'url',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  hash: 'sha256',
  email: 'email',
  'email-src': 'email',
};

const VALUE_COLUMNS = [
  'value',
  'indicator',
  'ioc',
  'observable',
  'ioc_value',
  'dst_ip',
  'ip',
  'domain',
  'url',
  'hash',
];
const LEVELS = new Set(['low', 'medium', 'high', 'critical']);

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      out.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  out.push(cell.trim());
  return out;
}

export function parseIndicatorList(
  text: string,
  file: string,
): { indicators: Indicator[]; problems: Issue[] } {
  const indicators: Indicator[] = [];
  const problems: Issue[] = [];
  const lines = text.split(/\r?\n/);
  const firstData = lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const header = firstData >= 0 ? splitCsvLine(lines[firstData]!).map((h) => h.toLowerCase()) : [];
  const valueColumn = header.findIndex((h) => VALUE_COLUMNS.includes(h));
  const isCsv = header.length > 1 && valueColumn >= 0;
  const col = (name: string): number => header.indexOf(name);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || (isCsv && index === firstData)) return;
    let value: string;
    let declared: string | undefined;
    let description: string | undefined;
    let tags: string[] = [];
    let level: string | undefined;
    if (isCsv) {
      const cells = splitCsvLine(raw);
      value = cells[valueColumn] ?? '';
      declared = cells[col('type')]?.toLowerCase();
      description = cells[col('description')] || undefined;
      tags = (cells[col('tags')] ?? '')
        .split(/[;|]/)
        .map((t) => t.trim())
        .filter(Boolean);
      level = cells[col('level')]?.toLowerCase();
    } else {
      const m = /^([a-z0-9-]+):(?!\/\/)\s*(.+)$/i.exec(line);
      if (m && TYPES[m[1]!.toLowerCase()]) {
        declared = m[1]!.toLowerCase();
        value = m[2]!;
      } else value = line.split(/\s+#/)[0]!.trim();
    }
    const declaredAs = declared ? TYPES[declared] : undefined;
    const type = declaredAs ? declaredType(declaredAs, value) : declared ? undefined : guessType(value);
    if (declaredAs && value && !type) {
      problems.push(
        issue('ioc.value.invalid', `"${value.slice(0, 80)}" is not a valid ${declared} value`, {
          file,
          line: index + 1,
        }),
      );
      return;
    }
    if (!type || !value) {
      problems.push(
        issue(
          'ioc.value.unknown',
          `"${value.slice(0, 80)}" is not an IP, CIDR, domain, URL, hash or e-mail address`,
          { file, line: index + 1 },
        ),
      );
      return;
    }
    indicators.push({
      type,
      value,
      list: file,
      ...(description ? { description } : {}),
      ...(level && LEVELS.has(level) ? { level: level as Indicator['level'] & string } : {}),
      tags,
    });
  });
  return { indicators, problems };
}

export async function readIndicatorFiles(
  paths: readonly string[],
): Promise<{ indicators: Indicator[]; problems: Issue[] }> {
  const indicators: Indicator[] = [];
  const problems: Issue[] = [];
  for (const path of paths) {
    try {
      const parsed = parseIndicatorList(await readFile(path, 'utf8'), path);
      indicators.push(...parsed.indicators);
      problems.push(...parsed.problems);
    } catch (error) {
      problems.push(issue('ioc.file.unreadable', (error as Error).message, { file: path }));
    }
  }
  return { indicators, problems };
}
