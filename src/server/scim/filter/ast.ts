/** The syntax tree of a SCIM filter (RFC 7644 section 3.4.2.2) and of a PATCH path. */

export const compareOperators = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;

export type CompareOperator = (typeof compareOperators)[number];

/** A comparison value as the filter wrote it. A dateTime is written as a string. */
export type FilterLiteral = string | number | boolean | null;

/** An attribute path as written: `[URN ":"] name ["." subAttribute]`. */
export interface AttributePath {
  /** The schema URN prefix, as written, or undefined when the path had none. */
  readonly schema: string | undefined;
  readonly name: string;
  readonly subAttribute: string | undefined;
  /** The offset of the path in the filter text (0-based), for error messages. */
  readonly position: number;
  /** The path exactly as written. */
  readonly text: string;
}

export type FilterNode =
  | {
      readonly kind: 'compare';
      readonly path: AttributePath;
      readonly operator: CompareOperator;
      readonly value: FilterLiteral;
      readonly valuePosition: number;
    }
  | { readonly kind: 'present'; readonly path: AttributePath }
  | { readonly kind: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'not'; readonly operand: FilterNode }
  /** `path[filter]`: true when one value of the multi-valued `path` matches `filter`, whose
   * attribute paths name sub-attributes of `path`. */
  | { readonly kind: 'valuePath'; readonly path: AttributePath; readonly filter: FilterNode };
