/** The Binary XML document model: templates parse once into these nodes; records resolve them with their values. */
import type { EvtxValue } from './values.js';

export interface ElementNode {
  readonly k: 'e';
  readonly name: string;
  readonly attrs: AttributeNode[];
  readonly children: XmlNode[];
}

export interface AttributeNode {
  readonly name: string;
  readonly parts: XmlNode[];
}

export interface ValueNode {
  readonly k: 'v';
  readonly value: EvtxValue;
}

export interface SubstitutionNode {
  readonly k: 's';
  readonly index: number;
  readonly optional: boolean;
}

export interface CharRefNode {
  readonly k: 'c';
  readonly code: number;
}

export interface EntityRefNode {
  readonly k: 'n';
  readonly name: string;
}

export interface CDataNode {
  readonly k: 'd';
  readonly text: string;
}

export interface PINode {
  readonly k: 'p';
  readonly target: string;
  data: string;
}

/** A substitution value: decoded, or a nested Binary XML fragment (type 0x21). */
export type SubstitutionValue = EvtxValue | readonly XmlNode[];

export interface TemplateNode {
  readonly k: 't';
  readonly body: readonly XmlNode[];
  readonly values: readonly SubstitutionValue[];
}

export type XmlNode =
  | ElementNode
  | ValueNode
  | SubstitutionNode
  | CharRefNode
  | EntityRefNode
  | CDataNode
  | PINode
  | TemplateNode;
