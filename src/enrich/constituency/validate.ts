/**
 * Untrusted records (a JSON document, a CSV row, an API body) → Organisation or Party, normalised,
 * with every problem as an Issue naming where and which field. A record with an error is refused
 * whole — half an organisation would answer lookups wrongly — and the records around it still load.
 */
import { formatPrefix, parsePrefix } from '../../core/ip.js';
import { issue, type Issue, type IssueLocation } from '../../core/issue.js';
import {
  OUTSIDE_PARTY_KINDS,
  REPORT_FORMATS,
  type Contact,
  type Organisation,
  type OutsidePartyKind,
  type Party,
  type ReportFormat,
} from './model.js';
import { normaliseListedDomain } from './target.js';

export interface Validated<T> {
  /** Undefined when the record had an error. */
  readonly value: T | undefined;
  readonly issues: readonly Issue[];
}

/** Ids are what URLs, CSV rows and constituent users name: short, plain, no spaces. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const MAX_LIST = 10_000;
const MAX_TEXT = 200;
const MAX_PGP = 64 * 1024;
const LANGUAGE = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$/;
/** Deliberately plain: one @, no spaces, quotes, brackets or line breaks (this goes into mail headers). */
const EMAIL =
  /^[A-Za-z0-9.!#$&'*+=^_`{}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$/;
const FINGERPRINT = /^[0-9A-F]{40}$/;
const ARMOURED =
  /^-----BEGIN PGP PUBLIC KEY BLOCK-----\r?\n[A-Za-z0-9+/=\r\n :.,()_-]*\r?\n-----END PGP PUBLIC KEY BLOCK-----\s*$/;
/** A cell a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+cmd|…`): refused in free text. */
const FORMULA_START = /^[=+\-@\t\r]/;

const ORGANISATION_FIELDS = new Set([
  'id',
  'name',
  'sectors',
  'country',
  'networks',
  'asns',
  'domains',
  'contacts',
]);
const PARTY_FIELDS = new Set([
  'id',
  'name',
  'kind',
  'preferredFormat',
  'countries',
  'asns',
  'networks',
  'domains',
  'platforms',
  'contacts',
]);
const CONTACT_FIELDS = new Set(['email', 'name', 'language', 'pgpKey']);

/** Where a field of a record is: a JSON pointer below the record's, or the CSV column on its line. */
export type FieldLocator = (field: string) => IssueLocation;

export const jsonLocator =
  (file: string, pointer: string): FieldLocator =>
  (field) => ({ file, path: field === '' ? pointer : `${pointer}/${field}` });

class Checker {
  readonly issues: Issue[] = [];
  failed = false;

  constructor(
    private readonly at: FieldLocator,
    private readonly label: string,
  ) {}

  error(code: string, field: string, message: string): void {
    this.failed = true;
    this.issues.push(issue(`constituency.${code}`, `${this.label}: ${message}`, this.at(field)));
  }

  warn(code: string, field: string, message: string): void {
    this.issues.push(issue(`constituency.${code}`, `${this.label}: ${message}`, this.at(field), 'warning'));
  }

  text(value: unknown, field: string, required: boolean): string | undefined {
    if (value === undefined || value === null || value === '') {
      if (required) this.error('field.missing', field, `${field} is required`);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.error('field.type', field, `${field} must be text`);
      return undefined;
    }
    const s = value.trim();
    if (s === '') {
      if (required) this.error('field.missing', field, `${field} is required`);
      return undefined;
    }
    if (s.length > MAX_TEXT || /[\u0000-\u001f\u007f]/.test(s)) {
      this.error('text.invalid', field, `${field} must be one line of at most ${MAX_TEXT} characters`);
      return undefined;
    }
    if (FORMULA_START.test(s)) {
      this.error('text.formula', field, `${field} may not start with = + - or @ (spreadsheets run it)`);
      return undefined;
    }
    return s;
  }

  list(value: unknown, field: string): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.error('field.type', field, `${field} must be a list`);
      return [];
    }
    if (value.length > MAX_LIST) {
      this.error('field.too-many', field, `${field} has more than ${MAX_LIST} entries`);
      return [];
    }
    return value as unknown[];
  }

  unknownFields(raw: Record<string, unknown>, known: ReadonlySet<string>, prefix = ''): void {
    for (const key of Object.keys(raw))
      if (!known.has(key))
        this.error('field.unknown', `${prefix}${key}`, `unknown field "${key.slice(0, 50)}"`);
  }

  id(value: unknown): string | undefined {
    if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
      this.error(
        'id.invalid',
        'id',
        'id must be 1–100 letters, digits, dots, dashes or underscores, starting with a letter or digit',
      );
      return undefined;
    }
    return value;
  }

  country(value: unknown, field: string): string | undefined {
    if (typeof value !== 'string' || !/^[A-Za-z]{2}$/.test(value.trim())) {
      this.error(
        'country.invalid',
        field,
        `"${String(value).slice(0, 20)}" is not an ISO 3166-1 alpha-2 code`,
      );
      return undefined;
    }
    return value.trim().toUpperCase();
  }

  networks(value: unknown, field: string): string[] {
    const out: string[] = [];
    for (const [i, item] of this.list(value, field).entries()) {
      const text = typeof item === 'string' ? item.trim() : '';
      const prefix = text === '' ? undefined : parsePrefix(text);
      if (!prefix) {
        this.error(
          'network.invalid',
          `${field}/${i}`,
          `"${String(item).slice(0, 60)}" is not an IP network (CIDR)`,
        );
        continue;
      }
      const canonical = formatPrefix(prefix);
      if (prefix.hostBitsSet)
        this.warn('network.host-bits', `${field}/${i}`, `${text} has host bits set: taken as ${canonical}`);
      if (!out.includes(canonical)) out.push(canonical);
    }
    return out;
  }

  asns(value: unknown, field: string): number[] {
    const out: number[] = [];
    for (const [i, item] of this.list(value, field).entries()) {
      const digits = typeof item === 'string' ? /^(?:AS)?(\d{1,10})$/i.exec(item.trim())?.[1] : undefined;
      const n = typeof item === 'number' ? item : digits !== undefined ? Number(digits) : NaN;
      if (!Number.isInteger(n) || n < 1 || n > 4_294_967_295) {
        this.error('asn.invalid', `${field}/${i}`, `"${String(item).slice(0, 20)}" is not an AS number`);
        continue;
      }
      if (!out.includes(n)) out.push(n);
    }
    return out;
  }

  domains(value: unknown, field: string): string[] {
    const out: string[] = [];
    for (const [i, item] of this.list(value, field).entries()) {
      const domain = typeof item === 'string' ? normaliseListedDomain(item) : undefined;
      if (domain === undefined) {
        this.error('domain.invalid', `${field}/${i}`, `"${String(item).slice(0, 60)}" is not a domain`);
        continue;
      }
      if (!out.includes(domain)) out.push(domain);
    }
    return out;
  }

  words(value: unknown, field: string): string[] {
    const out: string[] = [];
    for (const [i, item] of this.list(value, field).entries()) {
      const s = this.text(item, `${field}/${i}`, true);
      if (s !== undefined && s.includes(';'))
        this.error(
          'text.invalid',
          `${field}/${i}`,
          `${field} entries may not contain ";" (the CSV list separator)`,
        );
      else if (s !== undefined && !out.includes(s)) out.push(s);
    }
    return out;
  }

  contacts(value: unknown): Contact[] {
    const out: Contact[] = [];
    for (const [i, item] of this.list(value, 'contacts').entries()) {
      const at = `contacts/${i}`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        this.error('field.type', at, 'a contact must be an object');
        continue;
      }
      const c = item as Record<string, unknown>;
      this.unknownFields(c, CONTACT_FIELDS, `${at}/`);
      const email = typeof c.email === 'string' ? c.email.trim() : '';
      if (email.length > 254 || !EMAIL.test(email) || FORMULA_START.test(email)) {
        this.error(
          'contact.email-invalid',
          `${at}/email`,
          `"${String(c.email).slice(0, 60)}" is not an e-mail address`,
        );
        continue;
      }
      const name = this.text(c.name, `${at}/name`, false);
      let language: string | undefined;
      if (c.language !== undefined && c.language !== null && c.language !== '') {
        if (typeof c.language === 'string' && LANGUAGE.test(c.language.trim())) language = c.language.trim();
        else
          this.error(
            'contact.language-invalid',
            `${at}/language`,
            `"${String(c.language).slice(0, 20)}" is not a language tag (en, de-AT)`,
          );
      }
      let pgpKey: string | undefined;
      if (c.pgpKey !== undefined && c.pgpKey !== null && c.pgpKey !== '') {
        const raw = typeof c.pgpKey === 'string' ? c.pgpKey.trim() : '';
        const fingerprint = raw.replace(/\s+/g, '').toUpperCase().replace(/^0X/, '');
        if (FINGERPRINT.test(fingerprint)) pgpKey = fingerprint;
        else if (raw.length <= MAX_PGP && ARMOURED.test(raw)) pgpKey = raw.replace(/\r\n/g, '\n');
        else
          this.error(
            'contact.pgp-invalid',
            `${at}/pgpKey`,
            'pgpKey must be a 40-digit fingerprint or an ASCII-armoured public key block',
          );
      }
      out.push({
        email,
        ...(name !== undefined ? { name } : {}),
        ...(language !== undefined ? { language } : {}),
        ...(pgpKey !== undefined ? { pgpKey } : {}),
      });
    }
    return out;
  }
}

function asRecord(raw: unknown, check: Checker): Record<string, unknown> | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    check.error('field.type', '', 'a record must be an object');
    return undefined;
  }
  return raw as Record<string, unknown>;
}

const labelOf = (what: string, raw: unknown): string => {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id !== '' ? `${what} "${id.slice(0, 100)}"` : what;
};

export function validateOrganisation(raw: unknown, at: FieldLocator): Validated<Organisation> {
  const check = new Checker(at, labelOf('organisation', raw));
  const r = asRecord(raw, check);
  if (!r) return { value: undefined, issues: check.issues };
  check.unknownFields(r, ORGANISATION_FIELDS);
  const id = check.id(r.id);
  const name = check.text(r.name, 'name', true);
  const country =
    r.country === undefined || r.country === null || r.country === ''
      ? null
      : check.country(r.country, 'country');
  const value: Organisation = {
    id: id ?? '',
    name: name ?? '',
    sectors: check.words(r.sectors, 'sectors'),
    country: country ?? null,
    networks: check.networks(r.networks, 'networks'),
    asns: check.asns(r.asns, 'asns'),
    domains: check.domains(r.domains, 'domains'),
    contacts: check.contacts(r.contacts),
  };
  return { value: check.failed ? undefined : value, issues: check.issues };
}

export function validateParty(raw: unknown, at: FieldLocator): Validated<Party> {
  const check = new Checker(at, labelOf('party', raw));
  const r = asRecord(raw, check);
  if (!r) return { value: undefined, issues: check.issues };
  check.unknownFields(r, PARTY_FIELDS);
  const id = check.id(r.id);
  const name = check.text(r.name, 'name', true);
  let kind: OutsidePartyKind | undefined;
  if ((OUTSIDE_PARTY_KINDS as readonly unknown[]).includes(r.kind)) kind = r.kind as OutsidePartyKind;
  else if (r.kind === 'constituent')
    check.error('kind.invalid', 'kind', 'constituents are organisations: import them as organisations');
  else check.error('kind.invalid', 'kind', `kind must be one of ${OUTSIDE_PARTY_KINDS.join(', ')}`);
  let preferredFormat: ReportFormat = 'email';
  if (r.preferredFormat !== undefined && r.preferredFormat !== null && r.preferredFormat !== '') {
    if ((REPORT_FORMATS as readonly unknown[]).includes(r.preferredFormat))
      preferredFormat = r.preferredFormat as ReportFormat;
    else
      check.error(
        'format.invalid',
        'preferredFormat',
        `preferredFormat must be one of ${REPORT_FORMATS.join(', ')}`,
      );
  }
  const countries: string[] = [];
  for (const [i, c] of check.list(r.countries, 'countries').entries()) {
    const code = check.country(c, `countries/${i}`);
    if (code !== undefined && !countries.includes(code)) countries.push(code);
  }
  const value: Party = {
    id: id ?? '',
    name: name ?? '',
    kind: kind ?? 'hosting',
    countries,
    asns: check.asns(r.asns, 'asns'),
    networks: check.networks(r.networks, 'networks'),
    domains: check.domains(r.domains, 'domains'),
    platforms: check.words(r.platforms, 'platforms').map((p) => p.toLowerCase()),
    contacts: check.contacts(r.contacts),
    preferredFormat,
  };
  if (!check.failed && value.contacts.length === 0)
    check.error('party.no-contact', 'contacts', 'a party needs at least one contact to tell');
  if (kind === 'cert' && countries.length === 0)
    check.error('party.no-country', 'countries', 'a CERT needs the countries it is responsible for');
  if (
    !check.failed &&
    value.asns.length + value.networks.length + value.domains.length + value.platforms.length === 0 &&
    value.countries.length === 0
  )
    check.warn(
      'party.matches-nothing',
      '',
      'no ASN, network, domain, platform or country: no lookup finds it',
    );
  return { value: check.failed ? undefined : value, issues: check.issues };
}
