// A list inside a bound form (numbers, queues, rules, templates, ...): each item rendered
// by the caller at its own path ("queues[2]"), with buttons to add and remove items.

import type { ComponentChildren } from "preact";
import { FieldError, TextField, type TextType, useField } from "./form";

interface ListFieldProps<T> {
  path: string;
  legend: string;
  itemName: string;
  newItem: () => T;
  render: (itemPath: string, index: number) => ComponentChildren;
  hint?: ComponentChildren;
  /** Shown above the items (another way to add one, such as a picker). */
  before?: ComponentChildren;
  /** Show here every error inside the list, for lists whose items the API names otherwise
   *  (contact fields by their name). */
  catchAll?: boolean;
}

export function ListField<T>({ path, legend, itemName, newItem, render, hint, before, catchAll }: ListFieldProps<T>) {
  const field = useField(path);
  const items = (field.value as T[] | undefined) ?? [];
  const ownError = catchAll || field.problem?.field === path ? field.problem : null;
  return (
    <fieldset class={`list${ownError ? " invalid" : ""}`} id={field.id} tabIndex={-1}
      aria-describedby={ownError ? `${field.id}-error` : undefined}>
      <legend>{legend}</legend>
      {hint ? <p class="hint">{hint}</p> : null}
      <FieldError id={field.id} problem={ownError} />
      {before}
      {items.length === 0 ? <p class="muted">None.</p> : null}
      {items.map((_, i) => (
        <div class="list-item" key={i}>
          {render(`${path}[${i}]`, i)}
          <button type="button" class="link-button" aria-label={`Remove ${itemName} ${i + 1}`}
            onClick={() => field.set(items.filter((__, j) => j !== i))}>Remove</button>
        </div>
      ))}
      <button type="button" class="secondary" onClick={() => field.set([...items, newItem()])}>
        Add {itemName}
      </button>
    </fieldset>
  );
}

/** A list of plain strings (queues, closure dates), one input each. */
export function StringList({ path, legend, itemName, type = "text", hint }:
  { path: string; legend: string; itemName: string; type?: TextType; hint?: string }) {
  return (
    <ListField<string> path={path} legend={legend} itemName={itemName} newItem={() => ""} hint={hint}
      render={(itemPath, i) => <TextField path={itemPath} label={`${itemName} ${i + 1}`} type={type} required />} />
  );
}
