/**
 * Mail coming back: a reply to a notification or a bounce. The ticket tag (`[VIGIL#12]`) and the
 * Message-IDs it answers tie it to a case and a notification; a delivery-status report, or a message
 * from a mailer daemon, is a bounce.
 */
import { simpleParser, type AddressObject } from 'mailparser';

export interface InboundMail {
  readonly messageId: string | null;
  readonly from: string | null;
  readonly subject: string;
  readonly text: string;
  readonly ticketNumber: number | null;
  /** Message-IDs this mail answers (In-Reply-To and References), and, for a bounce, the one that bounced. */
  readonly refersTo: readonly string[];
  readonly bounce: boolean;
  readonly date: number | null;
}

const TICKET = /\[VIGIL#(\d{1,9})\]/i;
const MAX_TEXT = 100_000;

function firstAddress(a: AddressObject | AddressObject[] | undefined): string | null {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return (
    list
      .flatMap((x) => x.value)
      .find((v) => v.address)
      ?.address?.toLowerCase() ?? null
  );
}

const ids = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? value.split(/\s+/) : [])
    .map((v) => v.trim())
    .filter((v) => v.startsWith('<'));

export async function parseInbound(raw: Buffer | string): Promise<InboundMail> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const subject = mail.subject ?? '';
  const text = (mail.text ?? '').slice(0, MAX_TEXT);
  const from = firstAddress(mail.from);
  const contentType = mail.headers.get('content-type');
  const reportType =
    typeof contentType === 'object' && contentType !== null && 'params' in contentType
      ? (contentType as { params: Record<string, string> }).params['report-type']
      : undefined;
  const bounce =
    reportType === 'delivery-status' ||
    /^(mailer-daemon|postmaster)@/i.test(from ?? '') ||
    /^(undeliverable|undelivered mail|delivery status notification \(failure\)|mail delivery failed)/i.test(
      subject,
    );
  const refersTo = [...ids(mail.inReplyTo), ...ids(mail.references)];
  if (bounce) {
    // The bounced message's own headers travel inside the report.
    const inner = [...text.matchAll(/^Message-ID:\s*(<[^>\s]+>)/gim)].map((m) => m[1]!);
    for (const a of mail.attachments) {
      const body = a.content.toString('utf8');
      for (const m of body.matchAll(/^Message-ID:\s*(<[^>\s]+>)/gim)) inner.push(m[1]!);
    }
    refersTo.push(...inner);
  }
  const ticket = TICKET.exec(subject) ?? TICKET.exec(text);
  for (const a of mail.attachments) {
    if (ticket) break;
    const m = TICKET.exec(a.content.toString('utf8').slice(0, MAX_TEXT));
    if (m) return finish(m);
  }
  return finish(ticket);

  function finish(match: RegExpExecArray | null): InboundMail {
    return {
      messageId: mail.messageId ?? null,
      from,
      subject,
      text,
      ticketNumber: match ? Number(match[1]) : null,
      refersTo: [...new Set(refersTo)],
      bounce,
      date: mail.date ? mail.date.getTime() : null,
    };
  }
}
