/**
 * The Reference Security Incident Taxonomy (ENISA's machine-readable RSIT, version in rsit.json):
 * classes and their types, by id and name, for classifying cases.
 */
import { readFileSync } from 'node:fs';

export interface RsitType {
  readonly id: string;
  readonly name: string;
}

export interface RsitClass {
  readonly id: string;
  readonly name: string;
  readonly types: readonly RsitType[];
}

interface RsitFile {
  readonly version: number;
  readonly classes: readonly RsitClass[];
}

let taxonomy: RsitFile | undefined;

export function rsit(): RsitFile {
  taxonomy ??= JSON.parse(readFileSync(new URL('./rsit.json', import.meta.url), 'utf8')) as RsitFile;
  return taxonomy;
}

/** Whether `type` is one of `cls`'s types (a class alone, without a type, is valid too). */
export function isRsit(cls: string, type: string | null): boolean {
  const found = rsit().classes.find((c) => c.id === cls);
  return found !== undefined && (type === null || found.types.some((t) => t.id === type));
}
