// Contacts: the list, a search by mobile phone, and a contact's name, phone and fields.

import { useState } from "preact/hooks";
import { api } from "../api";
import { navigate } from "../router";
import { BoundForm, TextField, useForm } from "../ui/form";
import { ListField } from "../ui/list";
import { RecordList, RecordPage } from "../ui/records";
import { useLoaded } from "./loaded";
import type { ContactRecord } from "./records";

export function Contacts({ id }: { id: string | null }) {
  const [contact, error, setContact] = useLoaded<ContactRecord>(id && id !== "new" ? `/admin/contacts/${encodeURIComponent(id)}` : null);
  if (!id) return <ContactList />;
  return (
    <RecordPage kind="contacts" back="All contacts" error={error}
      title={id === "new" ? "New contact" : contact?.name || contact?.mobile_phone || "Contact"}>
      {id === "new" || contact ? <ContactForm key={contact?.updated_at ?? "new"} contact={contact}
        onSaved={(saved) => (contact ? setContact(saved) : navigate("admin", "contacts", saved.id))} /> : null}
    </RecordPage>
  );
}

/** A number as people type it ("+1 (206) 555-0100"), as the API takes it: digits and a leading +. */
function digitsOf(phone: string): string {
  return phone.replace(/[\s().-]/g, "");
}

function ContactList() {
  const [phone, setPhone] = useState("");
  const [query, setQuery] = useState("");
  const path = query ? `/admin/contacts?mobile_phone=${encodeURIComponent(query)}` : "/admin/contacts";
  const [list, error] = useLoaded<{ contacts: ContactRecord[] }>(path);
  return (
    <RecordList<ContactRecord> kind="contacts" title="Contacts" newLabel="New contact" empty="No contact found."
      intro="A new conversation is linked to the contact whose mobile phone is the customer's number."
      rows={list?.contacts ?? null} error={error} name={(c) => c.name || "(no name)"} columns={[
        { header: "Mobile phone", cell: (c) => c.mobile_phone },
        { header: "Fields", cell: (c) => Object.entries(c.fields).map(([k, v]) => `${k}: ${v}`).join(", ") || "–" },
      ]}>
      <form class="search" role="search" aria-label="Find a contact" onSubmit={(e) => { e.preventDefault(); setQuery(digitsOf(phone)); }}>
        <label for="contact-search">Mobile phone</label>
        <input id="contact-search" type="tel" value={phone} placeholder="+14255550100"
          onInput={(e) => setPhone(e.currentTarget.value)} />
        <button type="submit">Search</button>
        {query ? <button type="button" class="secondary" onClick={() => { setPhone(""); setQuery(""); }}>Show all</button> : null}
      </form>
    </RecordList>
  );
}

interface Draft {
  mobile_phone: string;
  name: string;
  fields: { name: string; value: string }[];
}

function ContactForm({ contact, onSaved }: { contact: ContactRecord | null; onSaved: (c: ContactRecord) => void }) {
  const form = useForm<Draft>({
    mobile_phone: contact?.mobile_phone ?? "", name: contact?.name ?? "",
    fields: Object.entries(contact?.fields ?? {}).map(([name, value]) => ({ name, value })),
  });
  const save = async () => {
    const { fields, name, ...rest } = form.value;
    const body = { ...rest, ...(name.trim() ? { name } : {}),
      fields: Object.fromEntries(fields.filter((f) => f.name.trim()).map((f) => [f.name.trim(), f.value])) };
    const saved = contact
      ? await api.patch<ContactRecord>(`/admin/contacts/${encodeURIComponent(contact.id)}`, body)
      : await api.post<ContactRecord>("/admin/contacts", body);
    onSaved(saved);
  };
  const remove = () => form.submit(async () => {
    if (contact && window.confirm("Delete this contact?")) {
      await api.delete(`/admin/contacts/${encodeURIComponent(contact.id)}`);
      navigate("admin", "contacts");
    }
  });
  return (
    <BoundForm form={form} onSubmit={save} label="Contact">
      <TextField path="mobile_phone" label="Mobile phone" type="tel" hint="country code and number, e.g. +14255550100" required />
      <TextField path="name" label="Name" />
      <ListField<{ name: string; value: string }> path="fields" legend="Fields" itemName="field" catchAll
        hint="Routing rules can use them as contact.<name>." newItem={() => ({ name: "", value: "" })}
        render={(p, i) => (
          <>
            <TextField path={`${p}.name`} label={`Field ${i + 1} name`} />
            <TextField path={`${p}.value`} label={`Field ${i + 1} value`} />
          </>
        )} />
      <button type="submit" disabled={form.busy}>{contact ? "Save contact" : "Create contact"}</button>
      {contact ? <button type="button" class="danger" onClick={remove}>Delete this contact</button> : null}
    </BoundForm>
  );
}
