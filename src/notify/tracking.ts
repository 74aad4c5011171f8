/**
 * What became of a notification: queued, sent, delivered or bounced, acknowledged, acted on, or no
 * answer. A sent notification without an answer gets a reminder after a while, and is escalated
 * after a second wait.
 */
export const NOTIFICATION_STATES = [
  'queued',
  'sent',
  'failed',
  'delivered',
  'bounced',
  'acknowledged',
  'acted',
  'no-answer',
] as const;
export type NotificationState = (typeof NOTIFICATION_STATES)[number];

/** States in which the recipient is still expected to answer. */
export const AWAITING: ReadonlySet<NotificationState> = new Set(['sent', 'delivered']);

export interface ReminderPolicy {
  /** After this long without an answer, a reminder. */
  readonly remindAfterMs: number;
  /** After this long since the reminder, marked no-answer and escalated. */
  readonly escalateAfterMs: number;
}

export const DEFAULT_REMINDERS: ReminderPolicy = {
  remindAfterMs: 3 * 86_400_000,
  escalateAfterMs: 4 * 86_400_000,
};

export interface Trackable {
  readonly status: NotificationState;
  readonly sentAt: number | null;
  readonly remindedAt: number | null;
}

export type Due = 'remind' | 'escalate' | null;

export function dueAction(n: Trackable, now: number, policy: ReminderPolicy): Due {
  if (!AWAITING.has(n.status) || n.sentAt === null) return null;
  if (n.remindedAt === null) return now - n.sentAt >= policy.remindAfterMs ? 'remind' : null;
  return now - n.remindedAt >= policy.escalateAfterMs ? 'escalate' : null;
}
