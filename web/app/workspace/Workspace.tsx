// The agent workspace: the inbox beside the open conversation (one or the other on a
// narrow screen), both kept fresh by the change feed while the workspace is shown.

import { useMemo, useState } from "preact/hooks";
import { useStore } from "../store";
import type { Me } from "../types";
import { ConversationPane } from "./ConversationPane";
import { type Feed, useFeed } from "./feed";
import { type InboxFilters, NO_FILTERS } from "./inbox";
import { InboxList } from "./InboxList";
import { useWorkstreams } from "./workstreams";

/** Workstream names for the filter and the queues' headings, the number where a
 *  conversation's workstream is not among them. */
function useWorkstreamNames(me: Me, feed: Feed): Map<string, string> {
  const { offers, mine, queues } = useStore(feed);
  const workstreams = useWorkstreams(me);
  return useMemo(() => {
    const names = new Map(workstreams.map((w) => [w.id, w.name]));
    for (const c of [...offers, ...mine, ...queues.flatMap((q) => q.conversations)]) {
      if (c.workstream_id && !names.has(c.workstream_id)) names.set(c.workstream_id, `${c.business} (${c.channel})`);
    }
    return names;
  }, [workstreams, offers, mine, queues]);
}

export function Workspace({ me, selected }: { me: Me; selected: string | null }) {
  const { feed, announcement } = useFeed(me);
  const [filters, setFilters] = useState<InboxFilters>(NO_FILTERS);
  const workstreams = useWorkstreamNames(me, feed);
  const { mine } = useStore(feed);
  return (
    <div class={`workspace${selected ? " has-selection" : ""}`}>
      <p class="visually-hidden" aria-live="polite">{announcement}</p>
      <InboxList me={me} feed={feed} selected={selected} workstreams={workstreams} filters={filters}
        setFilters={setFilters} />
      {selected
        ? <ConversationPane key={selected} id={selected} me={me} version={mine.find((c) => c.id === selected)?.version}
          onChange={(c) => feed.put(c, me.id)} />
        : <section class="pane empty" aria-label="Conversation"><p class="muted">Pick a conversation from the inbox.</p></section>}
    </div>
  );
}
