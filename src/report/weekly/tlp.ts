/**
 * What a weekly report of a given TLP may carry: nothing labelled above it, and, at TLP:CLEAR (the
 * public version), no organisation names. Names are removed from free text by plain, case-insensitive
 * substring search (never a pattern built from data), and bounded in count and length.
 */
import { tlpAllows, type Tlp } from '../../core/tlp.js';

export function withinTlp<T extends { readonly tlp: Tlp }>(items: readonly T[], tlp: Tlp): T[] {
  return items.filter((item) => tlpAllows(tlp, item.tlp));
}

/** What replaces an organisation's name in a TLP:CLEAR report. */
export const REDACTED = '[organisation]';

const MAX_NAMES = 20_000;
const MAX_TEXT = 500;
/** Shorter names ("IT", "AB") would eat ordinary words; such names go unmatched, as documented. */
const MIN_NAME = 3;

/**
 * Removes every given name from text. Longest names first, so "Acme Bank Group" goes before "Acme
 * Bank". Output is cut to 500 characters, which also bounds the work per string.
 */
export class NameScrubber {
  readonly #names: readonly string[];

  constructor(names: Iterable<string>) {
    const unique = new Set<string>();
    for (const n of names) {
      const name = n.trim().toLowerCase();
      if (name.length >= MIN_NAME && name.length <= 300) unique.add(name);
      if (unique.size >= MAX_NAMES) break;
    }
    this.#names = [...unique].sort((a, b) => b.length - a.length || a.localeCompare(b));
  }

  scrub(text: string): string {
    let out = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
    let lower = out.toLowerCase();
    // toLowerCase keeps the length for the text we meet; when it does not, compare on a copy safely.
    if (lower.length !== out.length) {
      out = lower;
    }
    for (const name of this.#names) {
      let at = lower.indexOf(name);
      while (at !== -1) {
        out = out.slice(0, at) + REDACTED + out.slice(at + name.length);
        lower = lower.slice(0, at) + REDACTED + lower.slice(at + name.length);
        at = lower.indexOf(name, at + REDACTED.length);
      }
    }
    return out;
  }
}

/** At TLP:CLEAR, a scrubber; above it, text as it is (still cut to length). */
export function redactorFor(tlp: Tlp, names: Iterable<string>): (text: string) => string {
  if (tlp !== 'CLEAR') return (text) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);
  const scrubber = new NameScrubber(names);
  return (text) => scrubber.scrub(text);
}
