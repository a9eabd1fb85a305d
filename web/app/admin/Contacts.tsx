// Contacts: the list, a search by number, and a contact's name, numbers and fields.

import { useState } from "preact/hooks";
import { api } from "../api";
import { navigate } from "../router";
import { type ContactDraft, NameAndFields, contactBody, contactDraft } from "../ui/contact";
import { BoundForm, TextField, useForm } from "../ui/form";
import { StringList } from "../ui/list";
import { RecordList, RecordPage } from "../ui/records";
import { confirmSaved } from "../ui/saved";
import { useLoaded } from "./loaded";
import type { ContactRecord } from "./records";

export function Contacts({ id }: { id: string | null }) {
  const [contact, error, setContact] = useLoaded<ContactRecord>(id && id !== "new" ? `/admin/contacts/${encodeURIComponent(id)}` : null);
  if (!id) return <ContactList />;
  return (
    <RecordPage kind="contacts" back="All contacts" error={error}
      title={id === "new" ? "New contact" : contact?.name || contact?.mobile_phone || "Contact"}>
      {id === "new" || contact ? <ContactForm key={contact?.updated_at ?? "new"} contact={contact}
        onSaved={(saved) => {
          if (contact) setContact(saved);
          confirmSaved("Contact", ...(contact ? [] : ["admin", "contacts", saved.id]));
        }} /> : null}
    </RecordPage>
  );
}

function ContactList() {
  const [phone, setPhone] = useState("");
  const [query, setQuery] = useState("");
  const path = query ? `/admin/contacts?mobile_phone=${encodeURIComponent(query)}` : "/admin/contacts";
  const [list, error] = useLoaded<{ contacts: ContactRecord[] }>(path);
  return (
    <RecordList<ContactRecord> kind="contacts" title="Contacts" newLabel="New contact" empty="No contact found."
      intro="A new conversation is linked to the contact holding the customer's number: its mobile phone or one of its other phones."
      rows={list?.contacts ?? null} error={error} name={(c) => c.name || "(no name)"} columns={[
        { header: "Mobile phone", cell: (c) => c.mobile_phone },
        { header: "Other phones", cell: (c) => c.other_phones.join(", ") || "–" },
        { header: "Fields", cell: (c) => Object.entries(c.fields).map(([k, v]) => `${k}: ${v}`).join(", ") || "–" },
      ]}>
      <form class="search" role="search" aria-label="Find a contact" onSubmit={(e) => { e.preventDefault(); setQuery(phone.trim()); }}>
        <label for="contact-search">Mobile phone</label>
        <input id="contact-search" type="tel" value={phone} placeholder="+14255550100"
          onInput={(e) => setPhone(e.currentTarget.value)} />
        <button type="submit">Search</button>
        {query ? <button type="button" class="secondary" onClick={() => { setPhone(""); setQuery(""); }}>Show all</button> : null}
      </form>
    </RecordList>
  );
}

interface Draft extends ContactDraft {
  mobile_phone: string;
  other_phones: string[];
}

function ContactForm({ contact, onSaved }: { contact: ContactRecord | null; onSaved: (c: ContactRecord) => void }) {
  const form = useForm<Draft>({
    mobile_phone: contact?.mobile_phone ?? "", other_phones: contact?.other_phones ?? [], ...contactDraft(contact),
  });
  const save = async () => {
    const { mobile_phone, other_phones } = form.value;
    const body = { mobile_phone, other_phones, ...contactBody(form.value, !contact) };
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
      <TextField path="mobile_phone" label="Mobile phone" type="tel" required
        hint="with its country code (+1 425 555 0100), or as dialled in the app's country ((425) 555-0100)" />
      <StringList path="other_phones" legend="Other phones" itemName="Other phone" type="tel"
        hint="The same person's other numbers (a WhatsApp number, a work phone), at most 4: their conversations are linked to this contact too." />
      <NameAndFields />
      <button type="submit" disabled={form.busy}>{contact ? "Save contact" : "Create contact"}</button>
      {contact ? <button type="button" class="danger" onClick={remove}>Delete this contact</button> : null}
    </BoundForm>
  );
}
