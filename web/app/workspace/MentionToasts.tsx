// "Ada mentioned you in a conversation with Maria Garcia": a note that named this person
// (`@name`). The notice carries ids only, so the conversation is read for who wrote the
// note and the customer's name (the loaded lists name the customer if it cannot be read);
// what the note says never shows here, nor in the desktop notification it also raises.

import { useEffect } from "preact/hooks";
import { api } from "../api";
import type { Conversation, Me, MentionNotice } from "../types";
import { customerLabel } from "./conversation";
import type { Feed } from "./feed";
import { mentionNote } from "./notifications";
import { notify } from "./notify";
import { ToastList, useOnce, useToastList } from "./ToastList";

/** Who wrote the latest note naming `me` (else the latest note of someone else). */
function writerOf(c: Conversation, me: Me): string | null {
  const notes = (c.messages ?? []).filter((m) => m.direction === "note" && m.agent && m.agent.id !== me.id);
  const named = notes.filter((m) => m.body.toLowerCase().includes(`@${me.name.toLowerCase()}`));
  return (named.at(-1) ?? notes.at(-1))?.agent?.name ?? null;
}

/** Who mentioned `me`, and the customer whose conversation it is: on the page as the
 *  inbox names them (their number, without a name), on the desktop by name only. */
async function mentionOf(feed: Feed, me: Me, notice: MentionNotice): Promise<[string, string, string]> {
  const read = await api.get<Conversation>(`/conversations/${encodeURIComponent(notice.conversation_id)}`)
    .catch(() => null);
  const c = read ?? feed.find(notice.conversation_id);
  const named = c?.contact?.name || c?.customer_name || "a customer";
  return [(read && writerOf(read, me)) ?? "A teammate", c ? customerLabel(c) : named, named];
}

export function MentionToasts({ feed, me }: { feed: Feed; me: Me }) {
  const { toasts, add, dismiss } = useToastList();
  const first = useOnce();
  useEffect(() => {
    feed.onMention = (notice) => {
      if (!first(`${notice.conversation_id}/${notice.version}`)) return;
      void mentionOf(feed, me, notice).then(([writer, customer, named]) => {
        add([{ id: notice.conversation_id, text: `${writer} mentioned you in a conversation with ${customer}`,
          tone: "mention" }]);
        notify(mentionNote(writer, named, notice.conversation_id));
      });
    };
    return () => { feed.onMention = () => undefined; };
  }, [feed, me]);
  return <ToastList label="Mentions" toasts={toasts} dismiss={dismiss} />;
}
