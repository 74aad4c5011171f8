/**
 * Generic CSV with a declared column mapping (IntelMQ's generic CSV parser): each column is a
 * harmonised field, alternatives `a|b` (the first that accepts the value), or `__IGNORE__`.
 *
 *   genericCsv({ name: 'my-feed', columns: ['time.source', '__IGNORE__', 'source.ip'],
 *                type: 'scanner', delimiter: '\t' })
 */
import { csvRows, type FeedParser, type FeedRecord } from '../parser.js';
import { checkValue, FeedEventBuilder } from '../event.js';

export interface GenericCsvConfig {
  readonly name: string;
  readonly title?: string;
  readonly columns: readonly string[];
  /** classification.type of every event (unless a column gives it). */
  readonly type: string;
  readonly delimiter?: string;
  /** The first data line is a header. */
  readonly skipHeader?: boolean;
  /** Prepended to a `source.url` without a scheme, e.g. `http://`. */
  readonly defaultUrlProtocol?: string;
  /** `epoch_millis`, or seconds/ISO when absent (recognised automatically). */
  readonly timeFormat?: 'epoch_millis' | 'epoch_seconds';
  /** Fields built from columns: `{ 'source.url': 'http://{0}{1}' }`, `{n}` being column n. */
  readonly compose?: Readonly<Record<string, string>>;
  /** Comment lines (default: optional blanks then `#`). */
  readonly comment?: RegExp;
}

export function genericCsv(config: GenericCsvConfig): FeedParser {
  const comment = config.comment ?? /^\s*#|^\s*$/;
  return {
    name: config.name,
    title: config.title ?? `CSV (${config.columns.join(', ')})`,
    provider: 'generic',
    sniff: () => 0,
    async *parse(lines, report): AsyncGenerator<FeedRecord> {
      let first = true;
      for await (const row of csvRows(lines, report, { delimiter: config.delimiter ?? ',', skip: comment })) {
        if ('issue' in row) {
          yield row;
          continue;
        }
        if (first && config.skipHeader) {
          first = false;
          continue;
        }
        first = false;
        const b = new FeedEventBuilder(report, { file: report.fileName, line: row.line });
        config.columns.forEach((column, i) => {
          const text = row.cells[i];
          if (column === '__IGNORE__' || text === undefined || text === '') return;
          for (const field of column.split('|')) {
            let value: unknown = text;
            if (field === 'time.source' && config.timeFormat === 'epoch_millis') value = Number(text);
            if (field === 'source.url' && config.defaultUrlProtocol && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text))
              value = config.defaultUrlProtocol + text;
            // Alternatives: only the last reports a value that fits none.
            if (field !== column.split('|').at(-1) && !quietFits(field, value)) continue;
            b.set(field, value);
            break;
          }
        });
        for (const [field, template] of Object.entries(config.compose ?? {}))
          b.set(field, template.replace(/\{(\d{1,3})\}/g, (_, n: string) => row.cells[Number(n)] ?? ''));
        b.setDefault('classification.type', config.type);
        yield { event: b.finish(row.raw) };
      }
    },
  };
}

const quietFits = (field: string, value: unknown): boolean => !('problem' in checkValue(field, value));
