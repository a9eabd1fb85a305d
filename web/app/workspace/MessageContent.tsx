// What a customer's message is beyond its text (the API's `kind` and its parts): the
// message it answers quoted above it, a location with a map link, a contact card, the
// option picked from buttons or a list, and the customer's reaction to a message. The
// body the API derives for these (for previews and bots) is not shown twice.

import type { Message } from "../types";

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
      {m.kind === "contacts" ? <p class="content-part">Contact card (open the attachment for names and numbers)</p> : null}
      {m.choice ? (
        <p class="content-part">Chose: <strong>{m.choice.title}</strong>{m.choice.description ? ` (${m.choice.description})` : ""}</p>
      ) : null}
      {m.reaction ? <p class="reaction">Customer reacted: <span class="emoji">{m.reaction}</span></p> : null}
    </>
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
