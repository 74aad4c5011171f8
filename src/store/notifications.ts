/** Notifications sent for cases, with their history, and the team's edited templates, over SqlDb. */
import { randomUUID } from 'node:crypto';
import type { Template } from '../notify/templates.js';
import type { NotificationState } from '../notify/tracking.js';
import type { SqlDb } from './sql.js';

export interface NotificationEvent {
  readonly at: number;
  readonly status: NotificationState;
  readonly note: string | null;
}

export interface Notification {
  readonly id: string;
  readonly caseId: string;
  readonly recipient: string;
  readonly recipientName: string | null;
  readonly partyKind: string;
  readonly language: string;
  readonly subject: string;
  readonly templateId: string;
  readonly status: NotificationState;
  /** Message-IDs of what was sent: the first message, then reminders (replies may answer any). */
  readonly messageIds: readonly string[];
  readonly sentAt: number | null;
  readonly remindedAt: number | null;
  readonly history: readonly NotificationEvent[];
}

export type NewNotification = Omit<
  Notification,
  'id' | 'status' | 'messageIds' | 'sentAt' | 'remindedAt' | 'history'
>;

export interface NotificationRepository {
  create(n: NewNotification): Promise<Notification>;
  get(id: string): Promise<Notification | undefined>;
  forCase(caseId: string): Promise<Notification[]>;
  /** Every notification still waiting for an answer or a send. */
  open(): Promise<Notification[]>;
  byMessageId(messageId: string): Promise<Notification | undefined>;
  /** Notifications first sent in [from, to). */
  sentBetween(from: number, to: number): Promise<Notification[]>;
  /** Records a move: the new state, a history entry, and what else changed. */
  record(
    id: string,
    event: NotificationEvent,
    change?: { readonly messageId?: string; readonly sentAt?: number; readonly remindedAt?: number },
  ): Promise<Notification | undefined>;
  templates(): Promise<Template[]>;
  putTemplate(t: Template): Promise<void>;
}

interface Row {
  id: string;
  case_id: string;
  recipient: string;
  recipient_name: string | null;
  party_kind: string;
  language: string;
  subject: string;
  template_id: string;
  status: NotificationState;
  message_ids: string;
  sent_at: number | null;
  reminded_at: number | null;
  history: string;
}

const toNotification = (r: Row): Notification => ({
  id: r.id,
  caseId: r.case_id,
  recipient: r.recipient,
  recipientName: r.recipient_name,
  partyKind: r.party_kind,
  language: r.language,
  subject: r.subject,
  templateId: r.template_id,
  status: r.status,
  messageIds: JSON.parse(r.message_ids) as string[],
  sentAt: r.sent_at === null ? null : Number(r.sent_at),
  remindedAt: r.reminded_at === null ? null : Number(r.reminded_at),
  history: JSON.parse(r.history) as NotificationEvent[],
});

export class SqlNotifications implements NotificationRepository {
  constructor(private readonly db: SqlDb) {}

  async create(n: NewNotification): Promise<Notification> {
    const id = randomUUID();
    const history: NotificationEvent[] = [{ at: Date.now(), status: 'queued', note: null }];
    await this.db.run(
      `INSERT INTO notifications (id, case_id, recipient, recipient_name, party_kind, language, subject, template_id,
         status, message_ids, sent_at, reminded_at, history)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', '[]', NULL, NULL, ?)`,
      [
        id,
        n.caseId,
        n.recipient,
        n.recipientName,
        n.partyKind,
        n.language,
        n.subject,
        n.templateId,
        JSON.stringify(history),
      ],
    );
    return (await this.get(id))!;
  }

  async get(id: string): Promise<Notification | undefined> {
    const [row] = await this.db.all<Row>('SELECT * FROM notifications WHERE id = ?', [id]);
    return row ? toNotification(row) : undefined;
  }

  async forCase(caseId: string): Promise<Notification[]> {
    return (
      await this.db.all<Row>('SELECT * FROM notifications WHERE case_id = ? ORDER BY sent_at, id', [caseId])
    ).map(toNotification);
  }

  async open(): Promise<Notification[]> {
    return (
      await this.db.all<Row>(
        "SELECT * FROM notifications WHERE status IN ('queued', 'sent', 'delivered') ORDER BY sent_at, id",
      )
    ).map(toNotification);
  }

  async sentBetween(from: number, to: number): Promise<Notification[]> {
    return (
      await this.db.all<Row>(
        'SELECT * FROM notifications WHERE sent_at >= ? AND sent_at < ? ORDER BY sent_at, id',
        [from, to],
      )
    ).map(toNotification);
  }

  async byMessageId(messageId: string): Promise<Notification | undefined> {
    // Message-IDs are few per notification; a LIKE over the JSON list finds the row, the check confirms it.
    const rows = await this.db.all<Row>("SELECT * FROM notifications WHERE message_ids LIKE ? ESCAPE '\\'", [
      `%${JSON.stringify(messageId).replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
    ]);
    return rows.map(toNotification).find((n) => n.messageIds.includes(messageId));
  }

  async record(
    id: string,
    event: NotificationEvent,
    change: { readonly messageId?: string; readonly sentAt?: number; readonly remindedAt?: number } = {},
  ): Promise<Notification | undefined> {
    const current = await this.get(id);
    if (!current) return undefined;
    const messageIds = change.messageId ? [...current.messageIds, change.messageId] : current.messageIds;
    await this.db.run(
      'UPDATE notifications SET status = ?, message_ids = ?, sent_at = ?, reminded_at = ?, history = ? WHERE id = ?',
      [
        event.status,
        JSON.stringify(messageIds),
        change.sentAt ?? current.sentAt,
        change.remindedAt ?? current.remindedAt,
        JSON.stringify([...current.history, event]),
        id,
      ],
    );
    return this.get(id);
  }

  async templates(): Promise<Template[]> {
    const rows = await this.db.all<{
      id: string;
      rsit_type: string | null;
      language: string;
      subject: string;
      text: string;
    }>('SELECT * FROM notification_templates ORDER BY id');
    return rows.map((r) => ({
      id: r.id,
      rsitType: r.rsit_type,
      language: r.language,
      subject: r.subject,
      text: r.text,
    }));
  }

  async putTemplate(t: Template): Promise<void> {
    await this.db.run(
      `INSERT INTO notification_templates (id, rsit_type, language, subject, text, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET rsit_type = excluded.rsit_type, language = excluded.language,
       subject = excluded.subject, text = excluded.text, updated_at = excluded.updated_at`,
      [t.id, t.rsitType, t.language, t.subject, t.text, Date.now()],
    );
  }
}
