/**
 * CSV export that a spreadsheet cannot turn into a formula: a cell starting with = + - @, a tab or a
 * carriage return gets a leading apostrophe (OWASP's CSV injection advice), and every cell is quoted.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (v: string) => `"${neutraliseCell(v).replace(/"/g, '""')}"`;
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** Offers the text as a file download (a blob: URL, allowed by the page's CSP for downloads only). */
export function download(name: string, textContent: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([textContent], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
