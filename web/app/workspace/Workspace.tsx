// The agent workspace: the inbox beside the open conversation (one or the other on a
// narrow screen), polling while it is shown.

import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../api";
import { can } from "../session";
import { useStore } from "../store";
import type { Me } from "../types";
import { ConversationPane } from "./ConversationPane";
import { Inbox } from "./inbox";
import { InboxList } from "./InboxList";

/** Workstream names where the caller may read them (admins), else the numbers seen. */
function useWorkstreamNames(me: Me, inbox: Inbox): Map<string, string> {
  const { conversations } = useStore(inbox);
  const [named, setNamed] = useState(new Map<string, string>());
  useEffect(() => {
    if (!can(me, "admin")) return;
    api.get<{ workstreams: { id: string; name: string }[] }>("/admin/workstreams")
      .then(({ workstreams }) => setNamed(new Map(workstreams.map((w) => [w.id, w.name]))))
      .catch(() => undefined);
  }, [me]);
  return useMemo(() => {
    const names = new Map(named);
    for (const c of conversations) {
      if (c.workstream_id && !names.has(c.workstream_id)) names.set(c.workstream_id, `${c.business} (${c.channel})`);
    }
    return names;
  }, [named, conversations]);
}

export function Workspace({ me, selected }: { me: Me; selected: string | null }) {
  const inbox = useMemo(() => new Inbox(), []);
  const workstreams = useWorkstreamNames(me, inbox);
  useEffect(() => {
    inbox.start();
    return () => inbox.stop();
  }, [inbox]);
  return (
    <div class={`workspace${selected ? " has-selection" : ""}`}>
      <InboxList inbox={inbox} selected={selected} workstreams={workstreams} />
      {selected
        ? <ConversationPane key={selected} id={selected} me={me} onChange={(c) => inbox.put(c)} />
        : <section class="pane empty" aria-label="Conversation"><p class="muted">Pick a conversation from the inbox.</p></section>}
    </div>
  );
}
