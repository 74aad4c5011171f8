/**
 * Who may move an advisory where: the author (or any editor) edits a draft and submits it for review; a
 * reviewer who is not the author returns it to draft or approves it for publication; a published advisory
 * is final (a correction is a new advisory). Publication needs a CSAF document that passes the validator.
 */
import type { AdvisoryState, OwnAdvisory } from './model.js';

export type Transition = 'submit' | 'return' | 'publish';

export function transitionProblem(a: Pick<OwnAdvisory, 'status' | 'createdBy'>, transition: Transition, actor: string): string | null {
  const need: Readonly<Record<Transition, AdvisoryState>> = { submit: 'draft', return: 'review', publish: 'review' };
  if (a.status !== need[transition]) return `a ${a.status} advisory cannot be ${transition === 'submit' ? 'submitted' : transition === 'return' ? 'returned' : 'published'}`;
  if (transition === 'publish' && actor === a.createdBy) return 'the author cannot publish their own advisory: a second person reviews it';
  return null;
}
