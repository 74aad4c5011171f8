/**
 * The CSAF product tree read as data: every full product name with where it is defined (branches, at any
 * depth up to a bound; full_product_names; relationships), and every place a product or group id is used.
 */
import { arr, isObject, pointer, prop, str } from '../json.js';

/** Branches nest; a tree deeper than this is reported, not walked (hostile input must not blow the stack). */
export const MAX_BRANCH_DEPTH = 64;

export interface BranchStep {
  readonly category: string;
  readonly name: string;
}

export interface ProductDefinition {
  readonly productId: string;
  readonly name: string;
  readonly path: string;
  /** The branch path that leads to a product defined in branches (vendor → product_name → product_version …). */
  readonly branches: readonly BranchStep[];
  readonly helper: unknown;
}

export interface IdReference {
  readonly id: string;
  readonly path: string;
}

export interface ProductTreeIndex {
  readonly products: readonly ProductDefinition[];
  readonly groups: readonly { readonly groupId: string; readonly productIds: readonly string[]; readonly path: string }[];
  /** product_version branch names, for test 6.1.31. */
  readonly versionBranches: readonly { readonly name: string; readonly path: string }[];
  readonly tooDeep: readonly string[];
}

function fullProductName(value: unknown, path: string, branches: readonly BranchStep[]): ProductDefinition | undefined {
  const productId = str(prop(value, 'product_id'));
  if (productId === undefined) return undefined;
  return { productId, name: str(prop(value, 'name')) ?? '', path, branches, helper: prop(value, 'product_identification_helper') };
}

export function indexProductTree(document: unknown): ProductTreeIndex {
  const tree = prop(document, 'product_tree');
  const products: ProductDefinition[] = [];
  const versionBranches: { name: string; path: string }[] = [];
  const tooDeep: string[] = [];

  const walk = (branches: unknown, path: string, trail: readonly BranchStep[], depth: number): void => {
    if (depth > MAX_BRANCH_DEPTH) {
      tooDeep.push(path);
      return;
    }
    arr(branches).forEach((branch, i) => {
      const here = `${path}/${i}`;
      const step = { category: str(prop(branch, 'category')) ?? '', name: str(prop(branch, 'name')) ?? '' };
      if (step.category === 'product_version') versionBranches.push({ name: step.name, path: `${here}/name` });
      const nextTrail = [...trail, step];
      const product = prop(branch, 'product');
      if (product !== undefined) {
        const def = fullProductName(product, `${here}/product/product_id`, nextTrail);
        if (def) products.push(def);
      }
      if (prop(branch, 'branches') !== undefined) walk(prop(branch, 'branches'), `${here}/branches`, nextTrail, depth + 1);
    });
  };
  walk(prop(tree, 'branches'), '/product_tree/branches', [], 1);

  arr(prop(tree, 'full_product_names')).forEach((fpn, i) => {
    const def = fullProductName(fpn, `/product_tree/full_product_names/${i}/product_id`, []);
    if (def) products.push(def);
  });
  arr(prop(tree, 'relationships')).forEach((rel, i) => {
    const def = fullProductName(prop(rel, 'full_product_name'), `/product_tree/relationships/${i}/full_product_name/product_id`, []);
    if (def) products.push(def);
  });

  const groups = arr(prop(tree, 'product_groups')).flatMap((group, i) => {
    const groupId = str(prop(group, 'group_id'));
    if (groupId === undefined) return [];
    const productIds = arr(prop(group, 'product_ids')).flatMap((id) => (typeof id === 'string' ? [id] : []));
    return [{ groupId, productIds, path: `/product_tree/product_groups/${i}/group_id` }];
  });
  return { products, groups, versionBranches, tooDeep };
}

/** The product status groups of CSAF 2.0 (section 3.2.3.9), as test 6.1.6 groups them. */
export const STATUS_GROUPS = {
  affected: ['first_affected', 'known_affected', 'last_affected'],
  notAffected: ['known_not_affected'],
  fixed: ['first_fixed', 'fixed'],
  underInvestigation: ['under_investigation'],
} as const;
export const STATUS_KEYS = Object.values(STATUS_GROUPS).flat();

function ids(value: unknown, path: string): IdReference[] {
  return arr(value).flatMap((id, i) => (typeof id === 'string' ? [{ id, path: `${path}/${i}` }] : []));
}

/** Every use of a product id outside its definition. */
export function productReferences(document: unknown): IdReference[] {
  const out: IdReference[] = [];
  const tree = prop(document, 'product_tree');
  arr(prop(tree, 'product_groups')).forEach((g, i) => out.push(...ids(prop(g, 'product_ids'), `/product_tree/product_groups/${i}/product_ids`)));
  arr(prop(tree, 'relationships')).forEach((rel, i) => {
    for (const key of ['product_reference', 'relates_to_product_reference']) {
      const id = str(prop(rel, key));
      if (id !== undefined) out.push({ id, path: `/product_tree/relationships/${i}/${key}` });
    }
  });
  arr(prop(document, 'vulnerabilities')).forEach((v, i) => {
    const base = `/vulnerabilities/${i}`;
    const status = prop(v, 'product_status');
    if (isObject(status)) for (const key of STATUS_KEYS) out.push(...ids(status[key], `${base}/product_status/${key}`));
    for (const list of ['remediations', 'scores', 'threats', 'flags'] as const) {
      const key = list === 'scores' ? 'products' : 'product_ids';
      arr(prop(v, list)).forEach((item, j) => out.push(...ids(prop(item, key), `${base}/${list}/${j}/${key}`)));
    }
  });
  return out;
}

/** Every use of a product group id. */
export function groupReferences(document: unknown): IdReference[] {
  const out: IdReference[] = [];
  arr(prop(document, 'vulnerabilities')).forEach((v, i) => {
    for (const list of ['remediations', 'threats', 'flags'] as const)
      arr(prop(v, list)).forEach((item, j) => out.push(...ids(prop(item, 'group_ids'), `/vulnerabilities/${i}/${list}/${j}/group_ids`)));
  });
  return out;
}

/** The product ids an item (remediation, threat, flag) names directly and through its groups. */
export function productsOf(item: unknown, groups: ReadonlyMap<string, readonly string[]>): Set<string> {
  const out = new Set<string>();
  for (const id of arr(prop(item, 'product_ids'))) if (typeof id === 'string') out.add(id);
  for (const g of arr(prop(item, 'group_ids'))) if (typeof g === 'string') for (const id of groups.get(g) ?? []) out.add(id);
  return out;
}

export { pointer };
