/**
 * A case's states and the moves between them, as one table. Rejecting a case or calling it a duplicate
 * needs a reason; a closed case can be reopened, a rejected or duplicate one too.
 */
export const CASE_STATES = [
  'new',
  'triage',
  'in-progress',
  'waiting',
  'resolved',
  'closed',
  'rejected',
  'duplicate',
] as const;
export type CaseState = (typeof CASE_STATES)[number];

/** `waiting`: on a third party (a provider, a registrar, a foreign CERT, the victim). */
export const TRANSITIONS: Readonly<Record<CaseState, readonly CaseState[]>> = {
  new: ['triage', 'in-progress', 'rejected', 'duplicate'],
  triage: ['in-progress', 'waiting', 'rejected', 'duplicate'],
  'in-progress': ['waiting', 'resolved', 'rejected', 'duplicate'],
  waiting: ['in-progress', 'resolved'],
  resolved: ['closed', 'in-progress'],
  closed: ['in-progress'],
  rejected: ['triage'],
  duplicate: ['triage'],
};

export const NEEDS_REASON: ReadonlySet<CaseState> = new Set(['rejected', 'duplicate']);
/** States in which a case no longer counts as open. */
export const ENDED: ReadonlySet<CaseState> = new Set(['resolved', 'closed', 'rejected', 'duplicate']);

export type TransitionCheck =
  { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };

export function checkTransition(from: CaseState, to: CaseState, reason: string | undefined): TransitionCheck {
  if (!TRANSITIONS[from].includes(to))
    return {
      ok: false,
      code: 'transition-not-allowed',
      message: `a ${from} case cannot become ${to} (allowed: ${TRANSITIONS[from].join(', ') || 'none'})`,
    };
  if (NEEDS_REASON.has(to) && (reason === undefined || reason.trim() === ''))
    return { ok: false, code: 'reason-required', message: `a case marked ${to} needs a reason` };
  return { ok: true };
}

export function isCaseState(value: unknown): value is CaseState {
  return typeof value === 'string' && (CASE_STATES as readonly string[]).includes(value);
}
