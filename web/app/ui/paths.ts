// Reading and writing a nested value by the path the API names fields with:
// "survey.text", "routing_rules[0].conditions[1].value".

type Tree = Record<string, unknown> | unknown[];

export function parsePath(path: string): (string | number)[] {
  return path.split(/\.|\[(\d+)\]/).filter((part) => part !== undefined && part !== "")
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

export function getPath(value: unknown, path: string): unknown {
  return parsePath(path).reduce<unknown>((node, key) => (node == null ? undefined : (node as Tree)[key as never]), value);
}

function setIn(node: unknown, keys: (string | number)[], next: unknown): unknown {
  if (keys.length === 0) return next;
  const [key, ...rest] = keys;
  const copy: Tree = Array.isArray(node) ? [...node] : { ...((node as Record<string, unknown>) ?? {}) };
  (copy as Record<string | number, unknown>)[key] = setIn((node as Tree | undefined)?.[key as never], rest, next);
  return copy;
}

export function setPath<T>(value: T, path: string, next: unknown): T {
  return setIn(value, parsePath(path), next) as T;
}

/** An id for the control of a field, the same one the error summary links to. */
export function fieldId(path: string): string {
  return `field-${path.replace(/[^A-Za-z0-9_-]+/g, "-")}`;
}

/** Whether an error about `field` belongs next to the control for `path`: the field itself,
 *  or an item inside it ("operating_hours.closures[2]" next to the closures list). */
export function belongsTo(field: string | undefined, path: string): boolean {
  return !!field && (field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`));
}
