// The agent workspace: the inbox beside the open conversation (one or the other on a
// narrow screen), both kept fresh by the change feed while the workspace is shown.

import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../api";
import { can } from "../session";
import { useStore } from "../store";
import type { Conversation, Me } from "../types";
import { ConversationPane } from "./ConversationPane";
import { type Feed, useFeed } from "./feed";
import { type InboxFilters, NO_FILTERS } from "./inbox";
import { InboxList } from "./InboxList";

/** Workstream names: an admin reads them all; others learn each from a conversation read
 *  by id, and until then see its number. */
function useWorkstreamNames(me: Me, feed: Feed, learned: Map<string, string>): Map<string, string> {
  const { offers, mine, queues } = useStore(feed);
  const [named, setNamed] = useState(new Map<string, string>());
  useEffect(() => {
    if (!can(me, "admin")) return;
    api.get<{ workstreams: { id: string; name: string }[] }>("/admin/workstreams")
      .then(({ workstreams }) => setNamed(new Map(workstreams.map((w) => [w.id, w.name]))))
      .catch(() => undefined);
  }, [me]);
  return useMemo(() => {
    const names = new Map([...named, ...learned]);
    const seen = [...offers, ...mine, ...queues.flatMap((q) => q.conversations)];
    for (const c of seen) {
      if (c.workstream_id && !names.has(c.workstream_id)) names.set(c.workstream_id, `${c.business} (${c.channel})`);
    }
    return names;
  }, [named, learned, offers, mine, queues]);
}

export function Workspace({ me, selected }: { me: Me; selected: string | null }) {
  const { feed, announcement } = useFeed(me);
  const [learned, setLearned] = useState(new Map<string, string>());
  const [filters, setFilters] = useState<InboxFilters>(NO_FILTERS);
  const workstreams = useWorkstreamNames(me, feed, learned);
  const { mine } = useStore(feed);
  const loaded = (c: Conversation) => {
    if (c.workstream && learned.get(c.workstream.id) !== c.workstream.name) {
      setLearned(new Map([...learned, [c.workstream.id, c.workstream.name]]));
    }
  };
  return (
    <div class={`workspace${selected ? " has-selection" : ""}`}>
      <p class="visually-hidden" aria-live="polite">{announcement}</p>
      <InboxList me={me} feed={feed} selected={selected} workstreams={workstreams} filters={filters}
        setFilters={setFilters} />
      {selected
        ? <ConversationPane key={selected} id={selected} me={me} version={mine.find((c) => c.id === selected)?.version}
          onChange={(c) => feed.put(c, me.id)} onLoad={loaded} />
        : <section class="pane empty" aria-label="Conversation"><p class="muted">Pick a conversation from the inbox.</p></section>}
    </div>
  );
}
