/** A group, version and kind; `group` is '' for the core group. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/**
 * One schema node as generated (OpenAPI v3 keys, structural ones only).
 * `$ref` is the bare name of another definition (no `#/components/schemas/`).
 */
export interface RawSchema {
  $ref?: string;
  type?: string;
  format?: string;
  properties?: Readonly<Record<string, RawSchema>>;
  required?: readonly string[];
  items?: RawSchema;
  additionalProperties?: RawSchema | boolean;
  oneOf?: readonly RawSchema[];
  enum?: readonly unknown[];
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: readonly string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-group-version-kind'?: readonly GroupVersionKind[];
}
