/**
 * The one place visibility queries (Temporal's SQL-like list filters) are written. Every value goes through
 * `quoteValue`, so an id with a quote or a backslash in it stays one value instead of ending the string; the text
 * stays what a person would type into `temporal workflow list --query`.
 *
 *   visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).eq(SA.dutyId, id).in(SA.period, periods).build()
 *   → WorkflowType = 'dutyTask' AND DutyId = 'x' AND DutyPeriod IN ('2026-01', '2026-02')
 *
 * A builder never changes: each call returns a new one, so a base query can be shared and narrowed.
 */

/** A search attribute: its name, or a typed key from `SA` (which carries the name). */
export type AttributeName = string | { readonly name: string };
export type QueryValue = string | Date;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function attribute(name: AttributeName): string {
  const text = typeof name === 'string' ? name : name.name;
  if (!NAME.test(text)) throw new RangeError(`not a search attribute name: ${JSON.stringify(text)}`);
  return text;
}

/**
 * A string literal for the list filter: in single quotes, a quote inside doubled (`it''s`) and a backslash
 * doubled (`a\\b`), as the server's SQL tokenizer reads them back. Dates are written as ISO instants.
 */
export function quoteValue(value: QueryValue): string {
  const text = value instanceof Date ? value.toISOString() : value;
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

export class VisibilityQuery {
  private constructor(
    private readonly clauses: readonly string[],
    private readonly grouping?: string,
  ) {}

  static empty(): VisibilityQuery {
    return new VisibilityQuery([]);
  }

  private with(clause: string): VisibilityQuery {
    return new VisibilityQuery([...this.clauses, clause], this.grouping);
  }

  /** `Name = 'value'` */
  eq(name: AttributeName, value: QueryValue): VisibilityQuery {
    return this.with(`${attribute(name)} = ${quoteValue(value)}`);
  }

  /** `Name != 'value'` */
  neq(name: AttributeName, value: QueryValue): VisibilityQuery {
    return this.with(`${attribute(name)} != ${quoteValue(value)}`);
  }

  /** `Name IN ('a', 'b')`; an empty list has no such clause in the filter language, so it is refused. */
  in(name: AttributeName, values: readonly QueryValue[]): VisibilityQuery {
    if (values.length === 0) throw new RangeError(`${attribute(name)} IN needs at least one value`);
    return this.with(`${attribute(name)} IN (${values.map(quoteValue).join(', ')})`);
  }

  /** `Name < 'value'`, e.g. a deadline before an instant. */
  lt(name: AttributeName, value: QueryValue): VisibilityQuery {
    return this.with(`${attribute(name)} < ${quoteValue(value)}`);
  }

  /** `Name >= 'value'` */
  gte(name: AttributeName, value: QueryValue): VisibilityQuery {
    return this.with(`${attribute(name)} >= ${quoteValue(value)}`);
  }

  /** `Name = true|false` for a Bool attribute (unquoted, as the filter language wants booleans). */
  is(name: AttributeName, value: boolean): VisibilityQuery {
    return this.with(`${attribute(name)} = ${value}`);
  }

  /** `Name > 'value'` */
  gt(name: AttributeName, value: QueryValue): VisibilityQuery {
    return this.with(`${attribute(name)} > ${quoteValue(value)}`);
  }

  /** `((a) OR (b) …)`: one clause that holds when any of the alternatives (each a whole query) does. */
  anyOf(...alternatives: readonly VisibilityQuery[]): VisibilityQuery {
    if (alternatives.length === 0) throw new RangeError('anyOf needs at least one alternative');
    if (alternatives.length === 1 && alternatives[0]) return this.with(`(${alternatives[0].build()})`);
    return this.with(`(${alternatives.map((a) => `(${a.build()})`).join(' OR ')})`);
  }

  workflowType(type: string): VisibilityQuery {
    return this.eq('WorkflowType', type);
  }

  taskQueue(queue: string): VisibilityQuery {
    return this.eq('TaskQueue', queue);
  }

  /** Open executions only. */
  running(): VisibilityQuery {
    return this.eq('ExecutionStatus', 'Running');
  }

  /**
   * Closed executions only. Say so beside a `CloseTime` comparison: SQL visibility stores a running execution's
   * close time as a far-future instant, so `CloseTime > t` alone matches every running one too.
   */
  closed(): VisibilityQuery {
    return this.neq('ExecutionStatus', 'Running');
  }

  /** For counts: `… GROUP BY Name`. */
  groupBy(name: AttributeName): VisibilityQuery {
    return new VisibilityQuery(this.clauses, attribute(name));
  }

  /** The clauses joined by AND, in the order they were added; empty for no filter at all. */
  build(): string {
    const where = this.clauses.join(' AND ');
    if (!this.grouping) return where;
    return where ? `${where} GROUP BY ${this.grouping}` : `GROUP BY ${this.grouping}`;
  }

  toString(): string {
    return this.build();
  }
}

export function visibilityQuery(): VisibilityQuery {
  return VisibilityQuery.empty();
}
