/** ATT&CK technique and tactic names, from the compact table scripts/build-attack-table.mjs writes. */
import { readFileSync } from 'node:fs';

interface AttackTable {
  readonly tacticOrder: readonly string[];
  readonly tactics: Readonly<Record<string, { id: string; name: string }>>;
  readonly techniques: Readonly<Record<string, { name: string; tactics: readonly string[] }>>;
}

let table: AttackTable | undefined;
function attack(): AttackTable {
  return (table ??= JSON.parse(
    readFileSync(new URL('./attack.json', import.meta.url), 'utf8'),
  ) as AttackTable);
}

export interface TechniqueRef {
  readonly id: string;
  readonly name: string;
  /** Tactic short names in kill-chain order (`initial-access`, `lateral-movement` …). */
  readonly tactics: readonly string[];
}

/** Techniques named by Sigma tags (`attack.t1003.001`), known ones only. */
export function techniquesOf(tags: readonly string[]): TechniqueRef[] {
  const out: TechniqueRef[] = [];
  for (const tag of tags) {
    const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(tag);
    if (!m) continue;
    const id = m[1]!.toUpperCase();
    const known = attack().techniques[id];
    if (known) out.push({ id, name: known.name, tactics: known.tactics });
  }
  return out;
}

/** Tactics named by Sigma tags (`attack.lateral-movement`), plus those of its techniques. */
export function tacticsOf(tags: readonly string[]): string[] {
  const { tactics } = attack();
  const found = new Set<string>();
  for (const tag of tags) {
    const name = tag
      .replace(/^attack\./i, '')
      .toLowerCase()
      .replace(/_/g, '-');
    if (tactics[name]) found.add(name);
  }
  for (const t of techniquesOf(tags)) t.tactics.forEach((x) => found.add(x));
  return tacticOrder().filter((t) => found.has(t));
}

export function tacticOrder(): readonly string[] {
  return attack().tacticOrder;
}

export function tacticName(short: string): string {
  return attack().tactics[short]?.name ?? short;
}
