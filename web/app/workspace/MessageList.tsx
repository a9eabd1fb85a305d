// The messages of a conversation in order, internal notes among them, set apart (a pale
// yellow box across the list, "Internal note by Ada") so none reads as something the customer
// saw. Every text a customer (or anyone) wrote is rendered as text, never as HTML: Preact
// puts it in text nodes. Customers' messages take an agent's reaction (Reactions.tsx).

import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { label, when } from "../format";
import type { Conversation, Me, Media, Message } from "../types";
import { customerLabel } from "./conversation";
import { MessageContent, QuotedMessage, showsBody } from "./MessageContent";
import { AgentReactionNote, ReactButton, ReactionsNote, reactable } from "./Reactions";

const STATUS_TEXT: Record<string, string> = {
  sending: "Sending", retrying: "Retrying", accepted: "Accepted", queued: "Queued", sent: "Sent", delivered: "Delivered",
  read: "Read",
  undelivered: "Not delivered", failed: "Failed", not_sent: "Not sent", received: "Received",
};

interface ListProps {
  conversation: Conversation;
  me: Me;
  /** An agent reacted: read the conversation again. */
  onReacted: () => Promise<void>;
}

export function MessageList({ conversation, me, onReacted }: ListProps) {
  const messages = conversation.messages ?? [];
  const end = useRef<HTMLLIElement>(null);
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => end.current?.scrollIntoView({ block: "end" }), [messages.length]);
  useEffect(() => keepAtEnd(list.current), []);
  const reacts = conversation.reactions?.allowed;
  // In the tab order: the list scrolls, and keyboard users must be able to scroll it too.
  return (
    <>
      <ReactionsNote conversation={conversation} />
      <ol ref={list} class="messages" aria-label="Messages" tabIndex={0}>
        {messages.map((m) => (
          <MessageItem key={m.id} message={m} customer={customerLabel(conversation)} me={me}
            react={reacts && reactable(m)
              ? <ReactButton conversation={conversation} message={m} onReacted={onReacted} /> : null} />
        ))}
        <li ref={end} class="end" aria-hidden="true" />
      </ol>
    </>
  );
}

/** A list read to its end stays there as it shrinks or grows (the composer below it
 *  changes height: a note added, Reply chosen again, a builder opened); one scrolled up
 *  stays where its reader left it. */
function keepAtEnd(list: HTMLElement | null): (() => void) | undefined {
  if (!list || typeof ResizeObserver === "undefined") return undefined;
  let atEnd = true;
  const scrolled = () => { atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 24; };
  const resized = new ResizeObserver(() => { if (atEnd) list.scrollTop = list.scrollHeight; });
  list.addEventListener("scroll", scrolled, { passive: true });
  resized.observe(list);
  return () => {
    resized.disconnect();
    list.removeEventListener("scroll", scrolled);
  };
}

function author(m: Message, customer: string): string {
  if (m.direction === "inbound") return customer;
  if (m.direction === "note") return `Internal note by ${m.agent?.name ?? "a teammate"}`;
  if (m.automated) return `Switchboard (${label(m.automated)})`;
  if (m.from_bot) return "Bot";
  return m.agent?.name ?? "Switchboard";
}

interface ItemProps {
  message: Message;
  customer: string;
  /** The signed-in person, whose own reaction reads "You reacted". */
  me?: Me;
  /** The message's React control, where it may take a reaction. */
  react?: ComponentChildren;
}

export function MessageItem({ message: m, customer, me, react }: ItemProps) {
  const failed = m.status === "failed" || m.status === "undelivered" || m.status === "not_sent";
  return (
    <li class={`message ${m.direction}${m.automated ? " automated" : ""}`}>
      <p class="message-meta">
        <span class="author">{author(m, customer)}</span>{" · "}
        <time dateTime={m.created_at}>{when(m.created_at)}</time>
        {m.direction === "outbound"
          ? <span class={`status ${failed ? "bad" : ""}`}> · {STATUS_TEXT[m.status] ?? m.status}</span> : null}
      </p>
      <QuotedMessage message={m} />
      {m.body && showsBody(m) ? <p class="body">{m.body}</p> : null}
      {m.media.length ? (
        <ul class="media">{m.media.map((x, i) => <li key={i}><Attachment media={x} sticker={m.kind === "sticker"} /></li>)}</ul>
      ) : null}
      <MessageContent message={m} />
      <AgentReactionNote message={m} me={me} />
      {m.media_dropped ? (
        <p class="note">{m.media_dropped} attachment(s) not kept: this workstream does not accept customers' files, or the provider's link was unusable.</p>
      ) : null}
      {m.keyword ? <p class="note">Keyword: {m.keyword.toUpperCase()}</p> : null}
      {failed && m.error ? (
        <p class="note bad">
          {m.error.message ?? "The provider refused it."}{m.error.code ? ` (code ${m.error.code})` : ""}
        </p>
      ) : null}
      {react}
    </li>
  );
}

function Attachment({ media, sticker }: { media: Media; sticker: boolean }) {
  const name = media.file_name || media.caption || media.content_type;
  if (media.download_url && media.content_type.startsWith("image/")) {
    return (
      <figure>
        <img src={media.download_url} alt={media.caption || (sticker ? "Sticker from the customer" : "Image from the customer")} loading="lazy" />
        {media.caption ? <figcaption>{media.caption}</figcaption> : null}
      </figure>
    );
  }
  const link = media.download_url ?? media.url;
  if (!link || !/^https?:\/\//i.test(link)) return <span>{name} (not available)</span>;
  return <a href={link} download={media.file_name || true} rel="noreferrer">Download {name}</a>;
}
