// A catalogue entry's row (a skill's, a label's) with its Delete button, and under it why
// the API would not delete it (in use, gone), announced and tied to the button.

import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";

import { ApiError, api, problem } from "../api";

export function CatalogueRow({ kind, name, onDeleted, children }: {
  kind: "skills" | "labels";
  name: string;
  onDeleted: (name: string) => void;
  children: ComponentChildren;  // the row's cells after its header, which is the name's
}) {
  const [error, setError] = useState<ApiError | null>(null);
  // each character an id may not hold by its code, so that "C++" and "C#" differ
  const errorId = `${kind.replace(/s$/, "")}-${name.replace(/[^A-Za-z0-9]/g, (c) => `_${c.codePointAt(0)!.toString(16)}`)}-error`;
  const remove = async () => {
    setError(null);
    try {
      await api.delete(`/admin/${kind}/${encodeURIComponent(name)}`);
      onDeleted(name);
    } catch (caught) {
      setError(problem(caught));
    }
  };
  return (
    <tbody class={error ? "invalid" : undefined}>
      <tr>
        {children}
        <td class="actions-cell">
          <button type="button" class="danger" aria-label={`Delete ${name}`} onClick={remove}
            aria-describedby={error ? errorId : undefined}>Delete</button>
        </td>
      </tr>
      {error ? (
        <tr class="row-error">
          <td colSpan={4}><p class="field-error" id={errorId} role="alert">{error.message}</p></td>
        </tr>
      ) : null}
    </tbody>
  );
}
