// A contact's name and fields as a bound form edits them, shared by the admin's Contacts
// page and the contact card beside a conversation. Fields are edited as a list of name and
// value, and sent as the API's object of names to values.

import { ApiError } from "../api";
import { TextField } from "./form";
import { ListField } from "./list";

export interface FieldEntry {
  name: string;
  value: string;
}

export interface ContactDraft {
  name: string;
  fields: FieldEntry[];
}

export function contactDraft(contact: { name?: string | null; fields?: Record<string, string> } | null): ContactDraft {
  return { name: contact?.name ?? "", fields: Object.entries(contact?.fields ?? {}).map(([name, value]) => ({ name, value })) };
}

/** The draft as the API takes it: an emptied name clears it (null; left out of a new
 *  contact), a field left wholly empty is dropped; a value without a name, or a name given
 *  twice, is refused beside its field (an ApiError naming it), never dropped or overwritten
 *  unseen. */
export function contactBody({ name, fields }: ContactDraft, creating = false):
  { name?: string | null; fields: Record<string, string> } {
  const kept = new Map<string, string>();
  fields.forEach((f, i) => {
    const field = f.name.trim();
    if (!field && !f.value.trim()) return;
    if (!field) throw new ApiError(422, "validation_failed", "is required for the value beside it", `fields[${i}].name`);
    if (kept.has(field)) throw new ApiError(422, "validation_failed", `is given twice: "${field}"`, `fields[${i}].name`);
    kept.set(field, f.value);
  });
  const named = name.trim();
  return { ...(named ? { name: named } : creating ? {} : { name: null }), fields: Object.fromEntries(kept) };
}

export function NameAndFields() {
  return (
    <>
      <TextField path="name" label="Name" />
      <ListField<FieldEntry> path="fields" legend="Fields" itemName="field" catchAll
        hint="Routing rules can use them as contact.<name>." newItem={() => ({ name: "", value: "" })}
        render={(p, i) => (
          <>
            <TextField path={`${p}.name`} label={`Field ${i + 1} name`} />
            <TextField path={`${p}.value`} label={`Field ${i + 1} value`} />
          </>
        )} />
    </>
  );
}
