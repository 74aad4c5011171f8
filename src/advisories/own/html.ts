/** Our advisory as one self-contained HTML page (the web version and the e-mail's HTML part). */
import { productSeverity, type OwnAdvisory } from './model.js';

// advisories may not import notify (same layer): its own escaping, the same five characters.
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const TLP_COLOUR: Readonly<Record<string, string>> = { CLEAR: '#ffffff', GREEN: '#33ff00', AMBER: '#ffc000', 'AMBER+STRICT': '#ffc000', RED: '#ff2b2b' };

export function advisoryHtml(a: OwnAdvisory, publisherName: string): string {
  const e = escapeHtml;
  const rows = a.products
    .map((p) => {
      const s = productSeverity(p);
      const versions = p.versions.length > 0 ? p.versions.join(', ') : (p.range ?? 'all versions');
      return `<tr><td>${e(p.vendor)}</td><td>${e(p.product)}</td><td>${e(versions)}</td><td>${e(s.severity)}${s.cvss === null ? '' : ` (${s.cvss})`}</td></tr>`;
    })
    .join('\n');
  const published = a.publishedAt === null ? 'not yet published' : new Date(a.publishedAt).toISOString();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${e(a.id)}: ${e(a.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:50em;margin:2em auto;padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.3em .6em;text-align:left}.tlp{background:#000;color:${TLP_COLOUR[a.tlp] ?? '#fff'};padding:.1em .5em;font-weight:bold}</style>
</head><body>
<p><span class="tlp">TLP:${e(a.tlp)}</span></p>
<h1>${e(a.id)}: ${e(a.title)}</h1>
<p>${e(publisherName)}, ${e(published)}</p>
${a.cves.length > 0 ? `<p>CVE: ${a.cves.map(e).join(', ')}</p>` : ''}
<h2>Summary</h2>
<p>${e(a.summary).replace(/\n/g, '<br>')}</p>
<h2>Affected products</h2>
<table><thead><tr><th>Vendor</th><th>Product</th><th>Versions</th><th>Severity (CVSS)</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>What to do</h2>
<p>${e(a.remediation).replace(/\n/g, '<br>')}</p>
${a.references.length > 0 ? `<h2>References</h2><ul>${a.references.map((r) => `<li>${e(r)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
