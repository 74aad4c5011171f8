/**
 * A look at a CVE record's JSON text before it is parsed: only the vendors it names (affected[].vendor, and the
 * vendor part of every CPE string in it) decide whether it can meet an inventory at all. Most of the CVE list
 * names vendors a constituency does not run, and scanning the text for them is much cheaper than JSON.parse.
 * Conservative: a record is passed on (parsed and matched) whenever the scan cannot be sure — an escaped
 * character in a vendor or CPE, a packageName, or no vendor found at all.
 *
 *   if (mayMatch(text, index.hasVendor)) index.match(cveToAdvisory(JSON.parse(text), index.readOptions));
 */
import { vendorKey } from './names.js';

const NAMES = /"(vendor|packageName)"\s*:\s*"([^"\\]{0,512})(\\|")|cpe:2\.3:[aho*-]:([^:"\\]{0,512})(\\|:|")/g;

export function mayMatch(text: string, hasVendor: (vendorKey: string) => boolean): boolean {
  let seen = false;
  NAMES.lastIndex = 0;
  for (let m = NAMES.exec(text); m !== null; m = NAMES.exec(text)) {
    seen = true;
    if (m[1] !== undefined) {
      if (m[1] === 'packageName' || m[3] === '\\') return true;
      if (hasVendor(vendorKey(m[2]!))) return true;
    } else {
      if (m[5] === '\\') return true;
      if (hasVendor(m[4]!.toLowerCase())) return true;
    }
  }
  return !seen;
}
