// The agent workspace: the inbox beside the open conversation (one or the other on a
// narrow screen), both kept fresh by the change feed while the workspace is shown, the
// labels admins defined (for both: labels.tsx), the unread count in the tab's title, its
// service-level alerts and mentions, its desktop notifications (notifications.ts decides,
// notify.ts shows) and its keyboard shortcuts (shortcuts.ts; `?` lists them).

import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { can } from "../session";
import { useStore } from "../store";
import type { Me } from "../types";
import { titleUnread } from "../ui/title";
import { customerLabel } from "./conversation";
import { ConversationPane } from "./ConversationPane";
import { type Feed, useFeed } from "./feed";
import { type InboxFilters, NO_FILTERS } from "./inbox";
import { InboxList, useTake } from "./InboxList";
import { LabelProvider, useLabelCatalogue } from "./labels";
import { MentionToasts } from "./MentionToasts";
import { feedNotes } from "./notifications";
import { notify } from "./notify";
import { ShortcutHelp } from "./ShortcutHelp";
import { SlaToasts } from "./SlaToasts";
import { soonest, useInboxSort } from "./sorting";
import { type ShortcutKey, focusComposer, openQuickReplies, pressClose, step, useShortcuts } from "./shortcuts";
import { useWorkstreams } from "./workstreams";

/** Workstream names for the filter and the queues' headings, the number where a
 *  conversation's workstream is not among them. */
function useWorkstreamNames(me: Me, feed: Feed): Map<string, string> {
  const { offers, mine, queues } = useStore(feed);
  const shown = [...offers, ...mine, ...queues.flatMap((q) => q.conversations)];
  const workstreams = useWorkstreams(me, shown.flatMap((c) => (c.workstream_id ? [c.workstream_id] : [])));
  return useMemo(() => {
    const names = new Map(workstreams.map((w) => [w.id, w.name]));
    for (const c of shown) {
      if (c.workstream_id && !names.has(c.workstream_id)) names.set(c.workstream_id, `${c.business} (${c.channel})`);
    }
    return names;
  }, [workstreams, offers, mine, queues]);
}

/** A desktop notification for each new offer and, while the tab is hidden, each customer
 *  message into a conversation the agent holds; decided on every change of the lists. */
function useDesktopNotes(feed: Feed, workstreams: Map<string, string>): void {
  const names = useRef(workstreams);
  names.current = workstreams;
  useEffect(() => {
    let before = feed.get();
    return feed.subscribe((after) => {
      feedNotes(before, after, document.visibilityState === "hidden", names.current).forEach(notify);
      before = after;
    });
  }, [feed]);
}

/** What the workspace's live region says: the feed's announcement, a shortcut's answer, and
 *  once on arriving offline, WorkBar's prompt (on the page from its first render, which a
 *  live region does not read out). */
function useAnnouncer(me: Me, announcement: string): [string, (text: string) => void] {
  const [said, say] = useState("");
  useEffect(() => say(announcement), [announcement]);
  useEffect(() => {
    if (can(me, "agent") && me.presence === "offline") say("You are offline: no conversations are offered to you");
  }, []);
  return [said, say];
}

export function Workspace({ me, selected }: { me: Me; selected: string | null }) {
  const { feed, announcement } = useFeed(me);
  const [filters, setFilters] = useState<InboxFilters>(NO_FILTERS);
  const [sort, setSort] = useInboxSort();
  const workstreams = useWorkstreamNames(me, feed);
  useDesktopNotes(feed, workstreams);
  const { mine, offers } = useStore(feed);
  const { take, error: actionError } = useTake(me, feed);
  const unread = mine.reduce((sum, c) => sum + c.unread, 0);
  useEffect(() => titleUnread(unread), [unread]);
  useEffect(() => () => titleUnread(0), []);
  const [said, say] = useAnnouncer(me, announcement);
  const [help, setHelp] = useState(false);
  const labels = useLabelCatalogue();
  const root = useRef<HTMLDivElement>(null);
  useShortcuts((key: ShortcutKey) => {
    const page = root.current;
    if (!page) return;
    if (key === "?") return setHelp(true);
    if (key === "a" || key === "d") {
      // Of the offers (the inbox shows every one), the one that lapses first, whatever the list's order.
      const first = soonest(offers);
      if (!first) return say(key === "a" ? "No offer to accept" : "No offer to decline");
      const who = customerLabel(first);
      void take(first, key === "a" ? "accept" : "decline").then((done) => {
        if (done) say(`${key === "a" ? "Accepted" : "Declined"} the offer from ${who}`);
      });
      return;
    }
    if (key === "j" || key === "k") return say(step(page, key === "j" ? 1 : -1));
    if (!selected) return say("Open a conversation first");
    if (key === "c") return say(focusComposer(page));
    if (key === "/") return say(openQuickReplies(page));
    if (key === "x") {
      const answer = pressClose(page);
      if (answer) say(answer);
    }
  });
  return (
    <LabelProvider value={labels}>
      <div class={`workspace${selected ? " has-selection" : ""}`} ref={root}>
        <p class="visually-hidden" aria-live="polite">{said}</p>
        <InboxList me={me} feed={feed} selected={selected} workstreams={workstreams} filters={filters}
          setFilters={setFilters} sort={sort} setSort={setSort} take={take} actionError={actionError} />
        {selected
          ? <ConversationPane key={selected} id={selected} me={me} version={mine.find((c) => c.id === selected)?.version}
            onChange={(c) => feed.put(c, me.id)} onSeen={(c) => feed.seen(c)} onLabelled={(c) => feed.labelled(c)} />
          : <section class="pane empty" aria-label="Conversation"><p class="muted">Pick a conversation from the inbox.</p></section>}
        {help ? <ShortcutHelp onClose={() => setHelp(false)} /> : null}
        <div class="toasts">
          <SlaToasts feed={feed} />
          <MentionToasts feed={feed} me={me} />
        </div>
      </div>
    </LabelProvider>
  );
}
