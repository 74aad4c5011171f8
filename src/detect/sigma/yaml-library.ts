/**
 * The YAML library, loaded when first needed: a scan that reads its rules (and the log-source
 * mapping) from the rule cache parses no YAML, and loading the library costs ≈ 40 ms CPU in every
 * thread that would import it.
 */
import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');

let yaml: Yaml | undefined;

export function yamlLibrary(): Yaml {
  return (yaml ??= createRequire(import.meta.url)('yaml') as Yaml);
}
