/**
 * Coordination mail for cases: compose (templates, TLP, CSV and X-ARF), send through SMTP, take
 * replies and bounces back (from the SMTP listener or an uploaded .eml) onto the case, and remind,
 * then escalate, when nobody answers. Every step is in the notification's history and the audit log.
 */
import type { Case } from '../cases/model.js';
import { compose, type Recipient } from '../notify/message.js';
import { parseInbound } from '../notify/inbound.js';
import type { Sender } from '../notify/smtp.js';
import { DEFAULT_TEMPLATES, type Template } from '../notify/templates.js';
import { AWAITING, dueAction, DEFAULT_REMINDERS, type ReminderPolicy } from '../notify/tracking.js';
import type { Notification, Store } from '../store/index.js';

export interface Team {
  readonly name: string;
  readonly email: string;
  readonly domain: string;
}

export const ticketOf = (c: Pick<Case, 'number'>): string => `VIGIL#${c.number}`;

export type SendResult =
  | { readonly recipient: string; readonly ok: true; readonly notification: Notification }
  | {
      readonly recipient: string;
      readonly ok: false;
      readonly reason: string;
      readonly notification?: Notification;
    };

export type InboundResult =
  | { readonly matched: false; readonly reason: string }
  | {
      readonly matched: true;
      readonly kind: 'reply' | 'bounce';
      readonly caseId: string;
      readonly notificationId: string | null;
    };

export class Notifier {
  constructor(
    readonly store: Store,
    readonly team: Team,
    readonly sender: Sender | undefined,
    readonly policy: ReminderPolicy = DEFAULT_REMINDERS,
  ) {}

  /** The shipped templates with the team's own on top (same id replaces, new ids add). */
  async templates(): Promise<Template[]> {
    const own = await this.store.notifications.templates();
    const ids = new Set(own.map((t) => t.id));
    return [...own, ...DEFAULT_TEMPLATES.filter((t) => !ids.has(t.id))];
  }

  async send(
    c: Case,
    recipients: readonly Recipient[],
    reason: string,
    actor: string,
  ): Promise<SendResult[]> {
    const templates = await this.templates();
    const observables = (await this.store.cases.observables(c.id)).map((o) => ({
      type: o.type,
      value: o.value,
    }));
    const out: SendResult[] = [];
    for (const recipient of recipients) {
      const composed = compose(
        {
          ticket: ticketOf(c),
          tlp: c.tlp,
          title: c.title,
          summary: c.description,
          rsitType: c.rsitType,
          reason,
          observables,
          team: this.team,
          recipient,
        },
        templates,
      );
      if (!composed.ok) {
        out.push({ recipient: recipient.email, ok: false, reason: composed.reason });
        continue;
      }
      const created = await this.store.notifications.create({
        caseId: c.id,
        recipient: recipient.email,
        recipientName: recipient.name,
        partyKind: recipient.partyKind,
        language: recipient.language,
        subject: composed.message.subject,
        templateId: composed.message.templateId,
      });
      if (!this.sender) {
        const failed = await this.store.notifications.record(created.id, {
          at: Date.now(),
          status: 'failed',
          note: 'no SMTP server configured',
        });
        out.push({
          recipient: recipient.email,
          ok: false,
          reason: 'no SMTP server configured',
          notification: failed!,
        });
        continue;
      }
      try {
        const { messageId } = await this.sender.send({ to: recipient.email, message: composed.message });
        const now = Date.now();
        const sent = await this.store.notifications.record(
          created.id,
          { at: now, status: 'sent', note: `by ${actor}` },
          { messageId, sentAt: now },
        );
        out.push({ recipient: recipient.email, ok: true, notification: sent! });
      } catch (error) {
        const failed = await this.store.notifications.record(created.id, {
          at: Date.now(),
          status: 'failed',
          note: (error as Error).message,
        });
        out.push({
          recipient: recipient.email,
          ok: false,
          reason: (error as Error).message,
          notification: failed!,
        });
      }
    }
    return out;
  }

  /** A reply or bounce, matched by the Message-IDs it answers, then by the ticket tag. */
  async receive(raw: Buffer | string): Promise<InboundResult> {
    const mail = await parseInbound(raw);
    let notification: Notification | undefined;
    for (const id of mail.refersTo) {
      notification = await this.store.notifications.byMessageId(id);
      if (notification) break;
    }
    const c = notification
      ? await this.store.cases.get(notification.caseId)
      : mail.ticketNumber !== null
        ? await this.store.cases.byNumber(mail.ticketNumber)
        : undefined;
    if (!c) return { matched: false, reason: 'no ticket tag or known Message-ID in the mail' };
    // A reply that names only the ticket belongs to that recipient's notification, when there is one.
    if (!notification && mail.from)
      notification = (await this.store.notifications.forCase(c.id)).find((n) => n.recipient === mail.from);
    const at = mail.date ?? Date.now();
    if (mail.bounce) {
      if (notification)
        await this.store.notifications.record(notification.id, { at, status: 'bounced', note: mail.subject });
      await this.store.cases.addComment({
        caseId: c.id,
        author: 'mail',
        text: `Bounce${notification ? ` for ${notification.recipient}` : ''}: ${mail.subject}`,
      });
      return { matched: true, kind: 'bounce', caseId: c.id, notificationId: notification?.id ?? null };
    }
    if (notification && (AWAITING.has(notification.status) || notification.status === 'no-answer'))
      await this.store.notifications.record(notification.id, {
        at,
        status: 'acknowledged',
        note: `reply from ${mail.from ?? 'unknown'}`,
      });
    await this.store.cases.addComment({
      caseId: c.id,
      author: mail.from ?? 'mail',
      text: `${mail.subject}\n\n${mail.text}`.trim(),
    });
    return { matched: true, kind: 'reply', caseId: c.id, notificationId: notification?.id ?? null };
  }

  /** Reminders in the thread of the first message; then no-answer, and a task to escalate. */
  async remind(now = Date.now()): Promise<{ reminded: string[]; escalated: string[] }> {
    const reminded: string[] = [];
    const escalated: string[] = [];
    for (const n of await this.store.notifications.open()) {
      const due = dueAction(n, now, this.policy);
      if (due === null) continue;
      const c = await this.store.cases.get(n.caseId);
      if (!c) continue;
      if (due === 'escalate') {
        await this.store.notifications.record(n.id, {
          at: now,
          status: 'no-answer',
          note: 'no answer after a reminder',
        });
        await this.store.cases.addTask({
          caseId: c.id,
          title: `Escalate: no answer from ${n.recipient} (${n.partyKind})`,
          owner: c.assignee,
          dueAt: null,
        });
        escalated.push(n.id);
        continue;
      }
      if (!this.sender) continue;
      const first = n.messageIds[0];
      const { messageId } = await this.sender.send({
        to: n.recipient,
        message: {
          subject: `Reminder: ${n.subject}`,
          text: `TLP:${c.tlp}\n\nWe have not heard from you about ${n.subject}. Please reply to our message below, keeping [${ticketOf(c)}] in the subject.\n\n${this.team.name} <${this.team.email}>\n`,
          html: '',
          attachments: [],
          templateId: 'reminder',
        },
        ...(first ? { inReplyTo: first } : {}),
      });
      await this.store.notifications.record(
        n.id,
        { at: now, status: n.status, note: 'reminder sent' },
        { messageId, remindedAt: now },
      );
      reminded.push(n.id);
    }
    return { reminded, escalated };
  }
}
