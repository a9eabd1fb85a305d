// A contact's name and fields as a bound form edits them, shared by the admin's Contacts
// page and the contact card beside a conversation. Fields are edited as a list of name and
// value, and sent as the API's object of names to values.

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

/** The draft as the API takes it: an empty name left out, fields without a name dropped. */
export function contactBody({ name, fields }: ContactDraft): { name?: string; fields: Record<string, string> } {
  return { ...(name.trim() ? { name } : {}),
    fields: Object.fromEntries(fields.filter((f) => f.name.trim()).map((f) => [f.name.trim(), f.value])) };
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
