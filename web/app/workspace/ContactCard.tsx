// The customer's contact beside a conversation: its name, numbers and fields, and Create
// contact (none holds the number) or Edit, opening a small form in place that saves the
// name and fields (PUT /api/conversations/{id}/contact: the contact is created for the
// customer's number and the conversation linked to it). A refusal shows beside its field;
// Cancel or Escape closes the form, the focus back on the button. Numbers are linked by an
// admin (the Contacts page).

import { useRef, useState } from "preact/hooks";
import { api } from "../api";
import { NameAndFields, contactBody, contactDraft } from "../ui/contact";
import { BoundForm, useForm } from "../ui/form";
import type { Contact, Conversation } from "../types";

interface Props {
  conversation: Conversation;
  /** Saved: the conversation is read again (its contact, the name on its cards). */
  onSaved: () => void;
}

export function ContactCard({ conversation, onSaved }: Props) {
  const contact = conversation.contact;
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState("");
  const button = useRef<HTMLButtonElement>(null);
  const close = () => {
    setEditing(false);
    button.current?.focus();
  };
  const done = (answer: Contact) => {
    setSaved(`Contact saved: ${answer.name || answer.mobile_phone}`);
    close();
    onSaved();
  };
  return (
    <section aria-labelledby="contact-title">
      <h3 id="contact-title">Contact</h3>
      {contact ? (
        <dl>
          <dt>Name</dt><dd>{contact.name || "–"}</dd>
          <dt>Mobile phone</dt><dd>{contact.mobile_phone || conversation.customer}</dd>
          {contact.other_phones?.length ? <><dt>Other phones</dt><dd>{contact.other_phones.join(", ")}</dd></> : null}
          {Object.entries(contact.fields ?? {}).map(([name, value]) => [<dt key={`k${name}`}>{name}</dt>, <dd key={`v${name}`}>{value}</dd>])}
        </dl>
      ) : <p class="muted">No contact has this number.</p>}
      <button type="button" class="secondary" ref={button} aria-expanded={editing}
        aria-controls={editing ? "contact-editor" : undefined} onClick={() => { setSaved(""); setEditing(!editing); }}>
        {contact ? "Edit contact" : "Create contact"}
      </button>
      <span role="status" class="visually-hidden">{saved}</span>
      {editing ? <ContactEditor conversation={conversation} onSaved={done} onCancel={close} /> : null}
    </section>
  );
}

function ContactEditor({ conversation, onSaved, onCancel }:
  { conversation: Conversation; onSaved: (c: Contact) => void; onCancel: () => void }) {
  const form = useForm(contactDraft(conversation.contact ?? null));
  const save = async () => {
    onSaved(await api.put<Contact>(`/conversations/${encodeURIComponent(conversation.id)}/contact`, contactBody(form.value)));
  };
  return (
    <div class="contact-editor" id="contact-editor" onKeyDown={(e) => { if (e.key === "Escape") onCancel(); }}>
      <BoundForm form={form} onSubmit={save} label={conversation.contact ? "Edit contact" : "Create contact"}>
        <NameAndFields />
        <div class="actions">
          <button type="submit" disabled={form.busy}>Save contact</button>
          <button type="button" class="secondary" onClick={onCancel}>Cancel</button>
        </div>
      </BoundForm>
    </div>
  );
}
