// The labels agents put on conversations: a name and a colour each (the name reads in black
// or white on it, whichever contrasts more). The inbox shows them on its cards and filters
// by them, search finds conversations by them, reports group by them. A new one's refusal
// (a name taken, or not allowed) shows beside its field; a deleted one stays on the
// conversations that have it (and in reports), but can no longer be given.

import { useState } from "preact/hooks";
import { api } from "../api";
import { when } from "../format";
import type { Label } from "../types";
import { BoundForm, ColourField, TextField, useForm } from "../ui/form";
import { ColourSwatch, LabelChip } from "../ui/labels";
import { CatalogueRow } from "./CatalogueRow";
import { useLoaded } from "./loaded";

const byName = (a: Label, b: Label) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" });
const FIRST_COLOUR = "#1f6feb";

export function Labels() {
  const [list, error, setList] = useLoaded<{ labels: Label[] }>("/labels");
  const labels = [...(list?.labels ?? [])].sort(byName);
  return (
    <div class="page">
      <h2>Labels</h2>
      <p>Labels sort conversations, such as VIP or Complaint. Agents give a conversation its labels in the
        workspace; the inbox shows them and filters by them, search finds conversations by a label's name,
        and reports group conversations by label.</p>
      {/* only once the labels are read: one added before would be missing from them when the read
          began before the add */}
      {list ? <AddLabel onAdded={(l) => setList({ labels: [...labels, l] })} /> : null}
      {error ? <p class="notice error" role="alert">The labels could not be read: {error.message}</p> : null}
      {!list && !error ? <p class="muted">Loading…</p> : null}
      {list && labels.length === 0 ? <p class="muted">No labels yet.</p> : null}
      {labels.length ? (
        <section aria-labelledby="labels-title">
          <h3 id="labels-title">The labels <span class="count">({labels.length})</span></h3>
          <p class="hint">Deleting a label leaves it on the conversations that have it, and reports still count
            them under it; agents can no longer give it.</p>
          <LabelTable labels={labels} onDeleted={(name) => setList({ labels: labels.filter((l) => l.name !== name) })} />
        </section>
      ) : null}
    </div>
  );
}

function AddLabel({ onAdded }: { onAdded: (label: Label) => void }) {
  const form = useForm({ name: "", colour: FIRST_COLOUR });
  const [added, setAdded] = useState("");
  const add = async () => {
    setAdded("");
    const label = await api.post<Label>("/admin/labels", form.value);
    form.replace({ name: "", colour: FIRST_COLOUR });
    setAdded(`Added ${label.name}.`);
    onAdded(label);
  };
  return (
    <section aria-labelledby="add-label-title">
      <h3 id="add-label-title">Add a label</h3>
      <BoundForm form={form} onSubmit={add} label="Add a label">
        <TextField path="name" label="Name" hint="letters, digits, spaces and . + # & -; unique whatever the case" required />
        <ColourField path="colour" label="Colour" hint="its name shows in black or white on it, whichever reads better" />
        <p class="label-preview">
          <span class="muted">Preview: </span><LabelChip name={form.value.name.trim() || "Label"} colour={form.value.colour} />
        </p>
        <button type="submit" disabled={form.busy}>Add label</button>
        <span role="status" class="status">{added}</span>
      </BoundForm>
    </section>
  );
}

function LabelTable({ labels, onDeleted }: { labels: Label[]; onDeleted: (name: string) => void }) {
  return (
    <table class="skills labels">
      <caption class="visually-hidden">Labels</caption>
      <thead>
        <tr><th scope="col">Name</th><th scope="col">Colour</th><th scope="col">Added</th>
          <th scope="col"><span class="visually-hidden">Actions</span></th></tr>
      </thead>
      {labels.map((l) => <LabelRows key={l.name} label={l} onDeleted={onDeleted} />)}
    </table>
  );
}

/** A label's row, and under it why it could not be deleted. */
function LabelRows({ label, onDeleted }: { label: Label; onDeleted: (name: string) => void }) {
  return (
    <CatalogueRow kind="labels" name={label.name} onDeleted={onDeleted}>
      <th scope="row"><LabelChip name={label.name} colour={label.colour} /></th>
      <td><ColourSwatch colour={label.colour} /></td>
      <td>{when(label.created_at)}</td>
    </CatalogueRow>
  );
}
