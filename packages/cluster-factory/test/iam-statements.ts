/** An IAM policy statement as the upstream files and this project write them. */
export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** A string or a list of them, as a sorted list. */
export const sortedList = (value: string | string[]) => [value].flat().sort();

/** A statement without its Sid, every list sorted: what IAM evaluates. */
export function normalized(statement: Statement) {
  const condition = Object.fromEntries(
    Object.entries(statement.Condition ?? {}).map(([operator, entries]) => [operator, Object.fromEntries(Object.entries(entries).map(([key, value]) => [key, Array.isArray(value) ? [...value].sort() : value]))]),
  );
  return { Effect: statement.Effect, Action: sortedList(statement.Action), Resource: sortedList(statement.Resource), Condition: condition };
}
