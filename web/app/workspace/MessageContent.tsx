// What a customer's message is beyond its text (the API's `kind` and its parts): the
// message it answers quoted above it, a location with a map link, a contact card (each
// contact's name and numbers, read by the API from its vCard), the
// option picked from buttons or a list, the buttons or list we offered, and the customer's
// reaction to a message. The
// body the API derives for these (for previews and bots) is not shown twice.

import type { Interactive, Message } from "../types";

const DERIVED_BODY = new Set(["location", "choice", "contacts"]);

export function showsBody(m: Message): boolean {
  return !DERIVED_BODY.has(m.kind);
}

export function QuotedMessage({ message: m }: { message: Message }) {
  if (!m.reply_to) return null;
  const what = m.kind === "choice" ? "Answering" : "Replying to";
  return (
    <blockquote class="quoted">
      <span class="quoted-label">{what}:</span>{" "}
      {m.reply_to.excerpt ?? "a message not in this conversation"}
    </blockquote>
  );
}

export function MessageContent({ message: m }: { message: Message }) {
  return (
    <>
      {m.location ? <LocationLink location={m.location} /> : null}
      {m.kind === "contacts" ? <ContactCards message={m} /> : null}
      {m.choice ? (
        <p class="content-part">Chose: <strong>{m.choice.title}</strong>{m.choice.description ? ` (${m.choice.description})` : ""}</p>
      ) : null}
      {m.interactive ? <Offered offered={m.interactive} /> : null}
      {m.reaction ? <p class="reaction">Customer reacted: <span class="emoji">{m.reaction}</span></p> : null}
    </>
  );
}

function Offered({ offered: o }: { offered: Interactive }) {
  if (o.buttons?.length) {
    return <ul class="content-part offered" aria-label="Reply buttons offered">{o.buttons.map((b) => <li key={b.id}>{b.title}</li>)}</ul>;
  }
  if (!o.sections?.length) return <p class="content-part">Twilio content {o.content_sid}</p>;
  return (
    <div class="content-part">
      <p>A list, opened by “{o.button}”:</p>
      {o.sections.map((s, i) => (
        <div key={i}>
          <p class="offered-section">{s.title}</p>
          <ul class="offered" aria-label={`List section ${s.title}`}>
            {s.rows.map((r) => <li key={r.id}>{r.title}{r.description ? ` (${r.description})` : ""}</li>)}
          </ul>
        </div>
      ))}
    </div>
  );
}

function LocationLink({ location: l }: { location: NonNullable<Message["location"]> }) {
  const place = [l.name, l.address].filter(Boolean).join(", ");
  const url = `https://www.openstreetmap.org/?mlat=${l.latitude}&mlon=${l.longitude}#map=16/${l.latitude}/${l.longitude}`;
  return (
    <p class="content-part location">
      Location: {place || `${l.latitude}, ${l.longitude}`}{" "}
      <a href={url} target="_blank" rel="noreferrer">Open map<span class="visually-hidden"> of {place || "the location"} (new tab)</span></a>
    </p>
  );
}

// Until the API has read the card's vCard, or where it held nothing readable, the card is
// only named; a vCard the workstream did not keep (media_dropped) leaves no attachment to open.
function ContactCards({ message: m }: { message: Message }) {
  const contacts = m.contacts ?? [];
  if (contacts.length === 0) {
    return <p class="content-part">Contact card{m.media.length > 0 ? " (open the attachment for names and numbers)" : ""}</p>;
  }
  return (
    <ul class="content-part contact-cards" aria-label="Shared contacts">
      {contacts.map((c, i) => (
        <li key={i}>
          <strong>{c.name ?? "Contact without a name"}</strong>
          {c.phones.length > 0 ? (
            <ul class="contact-phones">
              {c.phones.map((p, j) => (
                <li key={j}><a href={`tel:${p.number.replace(/\s+/g, "")}`}>{p.number}</a>{p.type ? ` (${p.type})` : ""}</li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
