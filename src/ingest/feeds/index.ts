/**
 * Feeds and abuse reports → harmonised events. The parsers, one folder each, and the sniffing that
 * picks one from the content and the file name when the feed is not named.
 *
 *   const feeds = feedParsers({ shadowserverSchema: 'schema.json' });
 *   for await (const r of parseFeed(feeds, sourceLines({ path }), { fileName, observation })) …
 */
import { basename } from 'node:path';
import { VigilError } from '../../core/errors.js';
import { readHead, type ByteSource } from '../text-stream.js';
import { feodoCsv, feodoHtml, feodoJson, threatfox, urlhaus } from './abusech/index.js';
import { bambenek } from './bambenek/index.js';
import { blocklistDe } from './blocklistde/index.js';
import { certEu } from './certeu/index.js';
import { cymru } from './cymru/index.js';
import { cznicProki } from './cznic/index.js';
import { dataplane } from './dataplane/index.js';
import { dshieldBlock } from './dshield/index.js';
import { emailParser } from './email/index.js';
import type { FeedReport } from './event.js';
import { genericCsv, type GenericCsvConfig } from './generic/index.js';
import { arrayLines } from './input.js';
import { ctipAzure, ctipInterflow } from './microsoft/index.js';
import { openPhish } from './openphish/index.js';
import type { FeedLine, FeedParser, FeedRecord } from './parser.js';
import { loadSchema, shadowserverParser, type Schema } from './shadowserver/index.js';
import { spamhausAsnDrop, spamhausCert, spamhausDrop } from './spamhaus/index.js';
import { xarf } from './xarf/index.js';

export * from './event.js';
export * from './parser.js';
export * from './input.js';
export { fieldType, FIELD_TYPES, type FieldType } from './harmonisation.js';
export { taxonomyOf, BREACH_TAXONOMY, CLASSIFICATION_TYPES, TAXONOMIES } from './classification.js';
export { genericCsv, type GenericCsvConfig } from './generic/index.js';
export { parseSchema, reportTypeOf } from './shadowserver/index.js';
export * from './collector.js';

export interface FeedOptions {
  /** Shadowserver's IntelMQ schema (JSON); without it every report type is read by convention. */
  readonly shadowserverSchema?: string;
  /** Generic CSV feeds declared in configuration. */
  readonly generic?: readonly GenericCsvConfig[];
}

export class FeedParsers {
  readonly list: readonly FeedParser[];
  readonly #byName: ReadonlyMap<string, FeedParser>;

  constructor(options: FeedOptions = {}) {
    let schema: Schema | undefined;
    const loaded = (): Schema => (schema ??= options.shadowserverSchema ? loadSchema(options.shadowserverSchema) : new Map());
    const list: FeedParser[] = [
      shadowserverParser(loaded),
      feodoJson,
      feodoCsv,
      feodoHtml,
      urlhaus,
      threatfox,
      spamhausDrop,
      spamhausAsnDrop,
      spamhausCert,
      dshieldBlock,
      blocklistDe,
      openPhish,
      bambenek,
      dataplane,
      cymru,
      certEu,
      cznicProki,
      ctipInterflow,
      ctipAzure,
      xarf,
      ...(options.generic ?? []).map(genericCsv),
    ];
    list.push(emailParser((text, name, report) => this.#attachment(text, name, report)));
    this.list = list;
    this.#byName = new Map(list.map((p) => [p.name, p] as const));
  }

  get(name: string): FeedParser {
    const parser = this.#byName.get(name);
    if (!parser)
      throw new VigilError('feeds.unknown', `no feed parser named ${name}; known: ${[...this.#byName.keys()].join(', ')}`);
    return parser;
  }

  /** The parser most sure of the content, or undefined when none is. */
  sniff(head: string, fileName: string): FeedParser | undefined {
    let best: FeedParser | undefined;
    let score = 0;
    const name = basename(fileName);
    for (const p of this.list) {
      const s = p.sniff(head, name);
      if (s > score) {
        best = p;
        score = s;
      }
    }
    return score >= 0.5 ? best : undefined;
  }

  async sniffSource(source: ByteSource, fileName: string): Promise<FeedParser | undefined> {
    const head = new TextDecoder('utf-8').decode(await readHead(source, 65536));
    return this.sniff(head.replace(/^\uFEFF/, ''), fileName);
  }

  #attachment(text: string, name: string, report: FeedReport): AsyncGenerator<FeedRecord> | null {
    const parser = this.sniff(text.slice(0, 65536), name);
    return parser && parser.name !== 'email' ? parser.parse(arrayLines(text), report) : null;
  }
}

/** Parses lines with `parser`, numbering nothing itself: issues and events as the parser yields them. */
export function parseFeed(parser: FeedParser, lines: AsyncIterable<FeedLine>, report: FeedReport): AsyncGenerator<FeedRecord> {
  return parser.parse(lines, report);
}
