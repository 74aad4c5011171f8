// Regenerates src/detect/sigma/mappings/windows.yml from SigmaHQ's THOR log-source mapping
// (../shared/data/sigma/thor-logsource-mapping.yml): the facts (channels, EventIDs, field names)
// in our own format. Run: node --import tsx scripts/build-logsource-mapping.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

interface ThorSource {
  category?: string;
  product?: string;
  service?: string;
  conditions?: Record<string, unknown>;
  rewrite?: { product?: string; service?: string };
  fieldmappings?: Record<string, string>;
  sources?: string[];
}

const root = join(import.meta.dirname, '..');
const thor = parse(readFileSync(join(root, '../shared/data/sigma/thor-logsource-mapping.yml'), 'utf8')) as {
  logsources: Record<string, ThorSource>;
};

const services: Record<string, string[]> = {};
const categories: Record<
  string,
  { service?: string; conditions?: Record<string, unknown>; fieldmappings?: Record<string, string> }[]
> = {};
for (const source of Object.values(thor.logsources)) {
  if (source.product !== 'windows') continue;
  if (source.service && source.sources) {
    services[source.service] = source.sources
      .filter((s) => s.startsWith('WinEventLog:'))
      .map((s) => s.slice('WinEventLog:'.length));
  }
  if (source.category) {
    const entry: (typeof categories)[string][number] = {};
    if (source.rewrite?.service) entry.service = source.rewrite.service;
    if (source.conditions) {
      entry.conditions = Object.fromEntries(
        Object.entries(source.conditions).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]),
      );
    }
    if (source.fieldmappings) entry.fieldmappings = source.fieldmappings;
    (categories[source.category] ??= []).push(entry);
  }
}

const header = `# Windows log sources for Sigma rules: \`service\` → event log channels, \`category\` → the service,
# EventID (and other field) preconditions and field renames. Facts from SigmaHQ's THOR mapping
# (thor-logsource-mapping.yml, the mapping SigmaHQ's regression tests use); regenerate with
# \`node --import tsx scripts/build-logsource-mapping.ts\`.
`;
writeFileSync(
  join(root, 'src/detect/sigma/mappings/windows.yml'),
  header + stringify({ services, categories }, { lineWidth: 0 }),
);
console.log(`${Object.keys(services).length} services, ${Object.keys(categories).length} categories`);
