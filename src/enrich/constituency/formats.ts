/**
 * Organisations and parties in and out, as one JSON document or one CSV file per kind of record
 * (docs/constituency.md). Importing validates every record and keeps the good ones; each problem is
 * an Issue with the file, the line (CSV) or JSON pointer, and the field.
 *
 * CSV holds one contact per row: a record's further contacts are further rows with the same id and
 * the record's other cells left empty.
 */
import { issue, type Issue, type IssueLocation } from '../../core/issue.js';
import { parseCsv, writeCsv, type CsvRow } from './csv.js';
import {
  DOCUMENT_FORMAT,
  type ConstituencyDocument,
  type Contact,
  type Organisation,
  type Party,
} from './model.js';
import {
  jsonLocator,
  validateOrganisation,
  validateParty,
  type FieldLocator,
  type Validated,
} from './validate.js';

export type RecordKind = 'organisations' | 'parties';

export interface Imported {
  readonly organisations: readonly Organisation[];
  readonly parties: readonly Party[];
  readonly issues: readonly Issue[];
  /** Records refused for an error (their issues say why). */
  readonly rejected: number;
}

/** A record field → its CSV column; list fields hold `;`-separated entries. */
const ORGANISATION_COLUMNS = {
  id: 'id',
  name: 'name',
  sectors: 'sectors',
  country: 'country',
  networks: 'networks',
  asns: 'asns',
  domains: 'domains',
} as const;
const PARTY_COLUMNS = {
  id: 'id',
  name: 'name',
  kind: 'kind',
  preferredFormat: 'preferred_format',
  countries: 'countries',
  asns: 'asns',
  networks: 'networks',
  domains: 'domains',
  platforms: 'platforms',
} as const;
const CONTACT_COLUMNS = {
  email: 'contact_email',
  name: 'contact_name',
  language: 'contact_language',
  pgpKey: 'contact_pgp_key',
} as const;
const LIST_FIELDS = new Set(['sectors', 'networks', 'asns', 'domains', 'countries', 'platforms']);

const recordColumns = (kind: RecordKind): Record<string, string> =>
  kind === 'organisations' ? ORGANISATION_COLUMNS : PARTY_COLUMNS;

export function csvHeader(kind: RecordKind): string[] {
  return [...Object.values(recordColumns(kind)), ...Object.values(CONTACT_COLUMNS)];
}

function splitList(cell: string): string[] {
  return cell
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function validate(kind: RecordKind, raw: unknown, at: FieldLocator): Validated<Organisation | Party> {
  return kind === 'organisations' ? validateOrganisation(raw, at) : validateParty(raw, at);
}

/** Keeps the first record of each id; a later one is refused with an issue. */
class Collector {
  readonly organisations: Organisation[] = [];
  readonly parties: Party[] = [];
  readonly issues: Issue[] = [];
  rejected = 0;
  readonly #seen = { organisations: new Set<string>(), parties: new Set<string>() };

  add(kind: RecordKind, result: Validated<Organisation | Party>, where: IssueLocation): void {
    this.issues.push(...result.issues);
    const value = result.value;
    if (value === undefined) {
      this.rejected++;
      return;
    }
    if (this.#seen[kind].has(value.id)) {
      this.rejected++;
      this.issues.push(
        issue('constituency.id.duplicate', `"${value.id}" is listed twice: the first is kept`, where),
      );
      return;
    }
    this.#seen[kind].add(value.id);
    if (kind === 'organisations') this.organisations.push(value as Organisation);
    else this.parties.push(value as Party);
  }

  result(): Imported {
    return {
      organisations: this.organisations,
      parties: this.parties,
      issues: this.issues,
      rejected: this.rejected,
    };
  }
}

/** Reads a CSV file of organisations or of parties. */
export function importCsv(kind: RecordKind, text: string, file: string): Imported {
  const out = new Collector();
  const { rows, problems } = parseCsv(text);
  for (const p of problems) {
    out.rejected++;
    out.issues.push(issue('constituency.csv.syntax', p.message, { file, line: p.line }));
  }
  const [header, ...body] = rows;
  if (!header) {
    out.issues.push(issue('constituency.csv.empty', 'no header row', { file, line: 1 }));
    return out.result();
  }
  const columns = header.cells.map((c) => c.trim().toLowerCase());
  const fieldColumns = recordColumns(kind);
  const known = new Set(csvHeader(kind));
  for (const [i, c] of columns.entries())
    if (!known.has(c))
      out.issues.push(
        issue(
          'constituency.csv.column-unknown',
          `unknown column "${c.slice(0, 50)}" (ignored)`,
          {
            file,
            line: header.line,
            column: i + 1,
          },
          'warning',
        ),
      );
  const missing = ['id', 'name', ...(kind === 'parties' ? ['kind'] : [])].filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    out.issues.push(
      issue('constituency.csv.column-missing', `missing column(s): ${missing.join(', ')}`, {
        file,
        line: header.line,
      }),
    );
    return out.result();
  }
  const cellOf = (row: CsvRow, column: string): string => {
    const i = columns.indexOf(column);
    return i < 0 ? '' : (row.cells[i] ?? '');
  };

  // Rows grouped by id, in the order ids first appear.
  const groups = new Map<string, CsvRow[]>();
  for (const row of body) {
    if (row.cells.length !== columns.length) {
      out.rejected++;
      out.issues.push(
        issue('constituency.csv.cells', `${row.cells.length} cells where the header has ${columns.length}`, {
          file,
          line: row.line,
        }),
      );
      continue;
    }
    // Rows without an id are records of their own (and refused for it), never continuations.
    const id = cellOf(row, 'id').trim() || `\u0000line ${row.line}`;
    const group = groups.get(id);
    if (group) group.push(row);
    else groups.set(id, [row]);
  }

  for (const [key, group] of groups) {
    const id = key.startsWith('\u0000') ? '' : key;
    const first = group[0]!;
    const raw: Record<string, unknown> = {};
    for (const [field, column] of Object.entries(fieldColumns)) {
      const cell = cellOf(first, column).trim();
      if (cell !== '') raw[field] = LIST_FIELDS.has(field) ? splitList(cell) : cell;
    }
    const contacts: Record<string, string>[] = [];
    const contactLines: number[] = [];
    let conflict = false;
    for (const row of group) {
      if (row !== first)
        for (const column of Object.values(fieldColumns)) {
          const cell = cellOf(row, column).trim();
          if (column !== 'id' && cell !== '' && cell !== cellOf(first, column).trim()) {
            conflict = true;
            out.issues.push(
              issue(
                'constituency.csv.conflict',
                `"${id.slice(0, 100)}": ${column} differs from line ${first.line} (a further row of a record carries only a contact)`,
                { file, line: row.line, path: column },
              ),
            );
          }
        }
      const contact: Record<string, string> = {};
      for (const [field, column] of Object.entries(CONTACT_COLUMNS)) {
        const cell = cellOf(row, column);
        if (cell.trim() !== '') contact[field] = cell;
      }
      if (Object.keys(contact).length > 0) {
        contacts.push(contact);
        contactLines.push(row.line);
      }
    }
    if (conflict) {
      out.rejected++;
      continue;
    }
    raw.contacts = contacts;
    // A field path from the validator → the line and column it came from.
    const at: FieldLocator = (path) => {
      const [field = '', index, sub] = path.split('/');
      if (field === 'contacts' && index !== undefined) {
        const column =
          sub === undefined ? 'contact_email' : CONTACT_COLUMNS[sub as keyof typeof CONTACT_COLUMNS];
        return { file, line: contactLines[Number(index)] ?? first.line, path: column ?? sub ?? field };
      }
      const column = (fieldColumns as Record<string, string | undefined>)[field];
      return { file, line: first.line, ...(column !== undefined ? { path: column } : {}) };
    };
    out.add(kind, validate(kind, raw, at), { file, line: first.line });
  }
  return out.result();
}

/** Reads a JSON document `{ format, version, organisations, parties }` already parsed. */
export function importDocument(document: unknown, file: string): Imported {
  const out = new Collector();
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    out.issues.push(issue('constituency.json.shape', 'the document must be an object', { file, path: '' }));
    return out.result();
  }
  const d = document as Record<string, unknown>;
  if (d.format !== undefined && d.format !== DOCUMENT_FORMAT) {
    out.issues.push(
      issue('constituency.json.format', `format must be "${DOCUMENT_FORMAT}"`, { file, path: '/format' }),
    );
    return out.result();
  }
  if (d.version !== undefined && d.version !== 1) {
    out.issues.push(
      issue('constituency.json.version', 'only version 1 is known', { file, path: '/version' }),
    );
    return out.result();
  }
  for (const key of Object.keys(d))
    if (!['format', 'version', 'organisations', 'parties'].includes(key))
      out.issues.push(
        issue(
          'constituency.field.unknown',
          `unknown field "${key.slice(0, 50)}" (ignored)`,
          { file, path: `/${key}` },
          'warning',
        ),
      );
  for (const kind of ['organisations', 'parties'] as const) {
    const list = d[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      out.issues.push(issue('constituency.json.shape', `${kind} must be a list`, { file, path: `/${kind}` }));
      continue;
    }
    for (const [i, raw] of (list as unknown[]).entries()) {
      const pointer = `/${kind}/${i}`;
      out.add(kind, validate(kind, raw, jsonLocator(file, pointer)), { file, path: pointer });
    }
  }
  return out.result();
}

/** Reads JSON text; a syntax error is one issue for the file. */
export function importJson(text: string, file: string): Imported {
  let document: unknown;
  try {
    document = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (error) {
    return {
      organisations: [],
      parties: [],
      rejected: 0,
      issues: [issue('constituency.json.syntax', (error as Error).message, { file })],
    };
  }
  return importDocument(document, file);
}

export function exportDocument(
  organisations: readonly Organisation[],
  parties: readonly Party[],
): ConstituencyDocument {
  return { format: DOCUMENT_FORMAT, version: 1, organisations, parties };
}

function contactCells(c: Contact | undefined): string[] {
  return [c?.email ?? '', c?.name ?? '', c?.language ?? '', c?.pgpKey ?? ''];
}

export function exportCsv(kind: 'organisations', records: readonly Organisation[]): string;
export function exportCsv(kind: 'parties', records: readonly Party[]): string;
export function exportCsv(kind: RecordKind, records: readonly (Organisation | Party)[]): string {
  const fields = Object.keys(recordColumns(kind));
  const rows: string[][] = [csvHeader(kind)];
  for (const record of records) {
    const values = record as unknown as Record<string, unknown>;
    const cells = fields.map((f) => {
      const v = values[f];
      if (Array.isArray(v)) return v.join(';');
      return v === null || v === undefined ? '' : String(v);
    });
    const [firstContact, ...more] = record.contacts;
    rows.push([...cells, ...contactCells(firstContact)]);
    for (const c of more) rows.push([record.id, ...fields.slice(1).map(() => ''), ...contactCells(c)]);
  }
  return writeCsv(rows);
}
