/** Problems found in input, as values: a damaged record becomes an Issue and the stream goes on. */

export interface IssueLocation {
  readonly file: string;
  readonly offset?: number;
  readonly line?: number;
  readonly chunk?: number;
  readonly recordId?: number;
  /** Path inside a structured document: YAML path of a rule, JSON pointer of a feed record. */
  readonly path?: string;
  readonly column?: number;
}

export interface Issue extends IssueLocation {
  /** Stable machine code, e.g. `evtx.chunk.bad-magic`, `w3c.fields.missing`, `sigma.modifier.unknown`. */
  readonly code: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

export function issue(
  code: string,
  message: string,
  where: IssueLocation,
  severity: Issue['severity'] = 'error',
): Issue {
  return { code, message, severity, ...where };
}

/** "file:line" / "file@offset" / "file chunk 3" — the place part of an error message. */
export function formatLocation(where: IssueLocation): string {
  let text = where.file;
  if (where.line !== undefined) text += `:${where.line}`;
  if (where.column !== undefined) text += `:${where.column}`;
  if (where.chunk !== undefined) text += ` chunk ${where.chunk}`;
  if (where.recordId !== undefined) text += ` record ${where.recordId}`;
  if (where.offset !== undefined) text += ` @0x${where.offset.toString(16)}`;
  if (where.path !== undefined) text += ` ${where.path}`;
  return text;
}

export function formatIssue(found: Issue): string {
  return `${formatLocation(found)}: ${found.severity} ${found.code}: ${found.message}`;
}
