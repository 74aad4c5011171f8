/**
 * Abuse reports as e-mail (.eml): X-ARF attachments become their events, attachments in a known
 * feed format are parsed by that feed, and otherwise the addresses and URLs in the text become
 * events of type `undetermined`, each keeping the whole original message in `raw`.
 */
import { simpleParser } from 'mailparser';
import { isIP } from 'node:net';
import { issue } from '../../../core/issue.js';
import { FeedEventBuilder, normaliseTime, type FeedReport } from '../event.js';
import { arrayLines } from '../input.js';
import { wholeText, type FeedParser, type FeedRecord } from '../parser.js';
import { isXarf, xarfEvent } from '../xarf/index.js';

const MAX_MAIL = 32 * 1024 * 1024;
const MAX_INDICATORS = 1000;
const IPV4 = /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/g;
const URL_IN_TEXT = /\bhxxps?:\/\/[^\s<>"']{1,2000}|\bhttps?:\/\/[^\s<>"']{1,2000}/gi;
const TIME_IN_TEXT = /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:\s?(?:Z|UTC|[+-]\d{2}:?\d{2}))?/;

/** Parses an attachment's text with the parser its content and name pick, if any. */
export type AttachmentParser = (text: string, fileName: string, report: FeedReport) => AsyncGenerator<FeedRecord> | null;

export function emailParser(attachment: AttachmentParser): FeedParser {
  return {
    name: 'email',
    title: 'Abuse e-mail (.eml): X-ARF, feed attachments, addresses in the text',
    provider: 'e-mail',
    sniff: (head, name) =>
      /^(Received|Return-Path|From|To|Message-ID|MIME-Version|Date|Subject):/im.test(head.slice(0, 2000)) &&
      /^From:/im.test(head) && /^Subject:/im.test(head)
        ? name.endsWith('.eml') ? 0.95 : 0.7
        : 0,
    async *parse(lines, report) {
      const where = { file: report.fileName, line: 1 };
      const text = await wholeText(lines, MAX_MAIL);
      if (text === null) {
        yield { issue: issue('email.too-large', `a message larger than ${MAX_MAIL} bytes`, where) };
        return;
      }
      const mail = await simpleParser(text, { skipImageLinks: true, skipTextToHtml: true });
      const subject = mail.subject ?? '';
      const from = mail.from?.value.find((v) => v.address)?.address?.toLowerCase();
      const messageId = mail.messageId;
      let produced = 0;
      const tag = (record: FeedRecord): FeedRecord => {
        if ('event' in record) {
          const f = record.event.fields;
          if (from) f['extra.mail_from'] = from;
          if (subject) f['extra.mail_subject'] = subject;
          if (messageId) f['extra.mail_message_id'] = messageId;
        }
        return record;
      };
      for (const a of mail.attachments) {
        const name = a.filename ?? 'attachment';
        const body = a.content.toString('utf8');
        if (/json/i.test(a.contentType) || name.endsWith('.json') || body.trimStart().startsWith('{')) {
          try {
            const doc: unknown = JSON.parse(body);
            if (isXarf(doc)) {
              produced++;
              yield tag(xarfEvent(doc, report, body));
              continue;
            }
          } catch {
            // not JSON: tried as a feed below
          }
        }
        const parsed = attachment(body, name, { ...report, fileName: `${report.fileName}!${name}` });
        if (parsed) {
          for await (const record of parsed) {
            if ('event' in record) produced++;
            yield tag(record);
          }
        }
      }
      if (produced > 0) return;
      const body = `${subject}\n${mail.text ?? ''}`;
      const time = TIME_IN_TEXT.exec(body)?.[0];
      const when = (time !== undefined ? normaliseTime(time) : undefined) ?? (mail.date ? normaliseTime(mail.date.getTime()) : undefined);
      const seen = new Set<string>();
      const indicators: [string, string][] = [];
      for (const m of body.matchAll(URL_IN_TEXT)) {
        const url = m[0].replace(/^hxxp/i, 'http').replace(/[).,;]+$/, '');
        if (!seen.has(url) && indicators.length < MAX_INDICATORS) {
          indicators.push(['source.url', url]);
          seen.add(url);
        }
      }
      for (const m of body.matchAll(IPV4)) {
        if (isIP(m[0]) && !seen.has(m[0]) && indicators.length < MAX_INDICATORS) {
          indicators.push(['source.ip', m[0]]);
          seen.add(m[0]);
        }
      }
      if (indicators.length === 0) {
        yield { issue: issue('email.no-indicators', 'no X-ARF, no feed attachment and no address or URL in the text', where, 'warning') };
        return;
      }
      for (const [field, value] of indicators) {
        const b = new FeedEventBuilder(report, where);
        b.set(field, value);
        b.set('time.source', when);
        b.set('event_description.text', subject.slice(0, 500));
        b.set('classification.type', 'undetermined');
        yield tag({ event: b.finish(text) });
      }
    },
  };
}

/** Lines of an attachment, for the feed parsers. */
export const attachmentLines = arrayLines;
