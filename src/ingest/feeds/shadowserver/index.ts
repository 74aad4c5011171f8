/**
 * Shadowserver reports (CSV, one per report type and day), driven by the report schema. The report
 * type comes from the file name (`2019-01-01-scan_smb-test-geo.csv`); an unknown type or a changed
 * column set is an issue naming the report and the columns, never a crash. `raw` is the header line
 * and the data line, as IntelMQ keeps it.
 */
import { issue } from '../../../core/issue.js';
import { csvRows, type FeedParser, type FeedRecord } from '../parser.js';
import { checkValue, FeedEventBuilder, rawHead, type HarmonisedValue, type RawHead } from '../event.js';
import { fieldType, type FieldType } from '../harmonisation.js';
import { conventionalType } from './conventions.js';
import { CONVERSIONS, reportTypeOf, type FieldRule, type ReportType, type Schema } from './schema.js';

export { loadSchema, parseSchema, reportTypeOf, type Schema } from './schema.js';

interface Compiled {
  readonly type: ReportType;
  /** Per rule: column index (or -1 when absent), field name, conversion. */
  readonly rules: readonly {
    index: number;
    field: string;
    /** The field's harmonised type, looked up once per report. */
    type: FieldType | 'extra' | undefined;
    convert: ((t: string) => unknown) | undefined;
    required: boolean;
    column: string;
  }[];
}

function compile(type: ReportType, header: readonly string[]): { compiled: Compiled; problems: string[] } {
  const problems: string[] = [];
  const position = new Map(header.map((h, i) => [h, i] as const));
  const used = new Set<string>();
  const out: Compiled['rules'][number][] = [];
  const add = (rule: FieldRule, required: boolean): void => {
    const [field, column, conversion] = rule;
    const convert = conversion === undefined ? undefined : CONVERSIONS[conversion];
    if (conversion !== undefined && !Object.hasOwn(CONVERSIONS, conversion)) problems.push(`unknown conversion ${conversion} for column ${column}`);
    const index = position.get(column) ?? -1;
    used.add(column);
    const name = field === 'extra.' ? `extra.${column}` : field;
    out.push({ index, field: name, type: fieldType(name), convert, required, column });
  };
  for (const r of type.required) add(r, true);
  for (const r of type.optional) add(r, false);
  const missing = type.required.filter((r) => !position.has(r[1])).map((r) => r[1]);
  if (missing.length) problems.push(`required columns missing: ${missing.join(', ')}`);
  const unknown = header.filter((h) => !used.has(h));
  if (unknown.length) {
    problems.push(`columns not in the schema (kept as extra.*): ${unknown.join(', ')}`);
    for (const column of unknown)
      out.push({ index: position.get(column)!, field: `extra.${column}`, type: fieldType(`extra.${column}`), convert: CONVERSIONS.validate_to_none, required: false, column });
  }
  return { compiled: { type, rules: out }, problems };
}

export function shadowserverParser(schema: () => Schema): FeedParser {
  return {
    name: 'shadowserver',
    title: 'Shadowserver reports (schema-driven CSV)',
    provider: 'Shadowserver',
    sniff(head, fileName) {
      const type = reportTypeOf(fileName);
      if (type === undefined) return 0;
      return /^"?timestamp"?,/.test(head) ? 0.95 : 0.6;
    },
    async *parse(lines, report): AsyncGenerator<FeedRecord> {
      const name = reportTypeOf(report.fileName);
      const where = { file: report.fileName, line: 1 };
      if (name === undefined) {
        yield { issue: issue('shadowserver.report.unnamed', `the file name does not name a report type (expected YYYY-MM-DD-<report>-….csv)`, where) };
        return;
      }
      let header: string[] | undefined;
      let headerRaw: RawHead = rawHead('');
      let compiled: Compiled | undefined;
      let rowReport = report;
      let constants: [string, HarmonisedValue][] = [];
      for await (const row of csvRows(lines, report)) {
        if ('issue' in row) {
          yield row;
          continue;
        }
        if (header === undefined) {
          header = row.cells.map((c) => c.trim());
          headerRaw = rawHead(`${row.raw}\n`);
          const known = schema().get(name);
          const type = known ?? conventionalType(name, header);
          if (type === undefined) {
            yield { issue: issue('shadowserver.report.unknown', `report type ${name} is neither in the schema nor of a known family; columns: ${header.join(', ')}`, where) };
            return;
          }
          if (!known)
            yield { issue: issue('shadowserver.report.by-convention', `report type ${name} is not in the schema: read by column conventions`, where, 'warning') };
          const c = compile(type, header);
          compiled = c.compiled;
          rowReport = { ...report, feedName: report.feedName ?? type.feedName };
          constants = [];
          for (const [field, value] of Object.entries(type.constants)) {
            const checked = checkValue(field, value);
            if ('value' in checked) constants.push([field, checked.value]);
            else yield { issue: issue('shadowserver.schema.constant', `report ${name}: constant ${field}: ${checked.problem}`, where) };
          }
          if (c.problems.length)
            yield { issue: issue('shadowserver.columns.changed', `report ${name}: ${c.problems.join('; ')}`, where, known ? 'error' : 'warning') };
          if (known && type.required.some((r) => !header!.includes(r[1]))) return;
          continue;
        }
        const b = new FeedEventBuilder(rowReport, { file: report.fileName, line: row.line });
        if (row.cells.length !== header.length)
          b.problem('shadowserver.row.width', `${row.cells.length} cells where the header has ${header.length}`);
        for (const [field, value] of constants) b.setChecked(field, value);
        for (const rule of compiled!.rules) {
          if (rule.index < 0) continue;
          const text = row.cells[rule.index] ?? '';
          const value = rule.convert ? rule.convert(text) : text;
          if (rule.required && (value === undefined || value === '')) {
            b.problem('shadowserver.field.required', `required column ${rule.column} is empty`);
            continue;
          }
          // Block lists give a network where the address goes.
          if (rule.field === 'source.ip' && typeof value === 'string' && value.includes('/')) b.set('source.network', value);
          else b.setAs(rule.field, rule.type, value);
        }
        yield { event: b.finish(row.raw, headerRaw) };
      }
    },
  };
}
