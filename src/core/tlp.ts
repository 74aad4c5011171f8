/**
 * Traffic Light Protocol 2.0 labels, from the most shareable to the least. A reader cleared for a
 * level may see everything at that level and below.
 */
export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

export function isTlp(value: unknown): value is Tlp {
  return typeof value === 'string' && (TLP_LEVELS as readonly string[]).includes(value);
}

export function tlpRank(level: Tlp): number {
  return TLP_LEVELS.indexOf(level);
}

/** Whether something labelled `label` may go to a reader cleared for `clearance`. */
export function tlpAllows(clearance: Tlp, label: Tlp): boolean {
  return tlpRank(label) <= tlpRank(clearance);
}
