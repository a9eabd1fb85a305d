// The workspace's live lists, kept by the change feed (GET /api/me/changes): a first call
// answers every list, then each answer carries the lists that changed since the last one.
// When to call (pushed by Web PubSub, or by long poll) is follow.ts's.

import { useEffect, useMemo, useState } from "preact/hooks";
import { Store } from "../store";
import type { Changes, Conversation, Me, MentionNotice, NoticeRoute, QueuePage, SlaNotice, Work } from "../types";
import { Follower } from "./follow";
import { chime } from "./notify";

export interface FeedState {
  work: Work;
  offers: Conversation[];
  mine: Conversation[];
  queues: QueuePage[];
  /** Admins: the newest conversations of all. */
  all: Conversation[];
  /** Supervisors: the newest conversations of each workstream they supervise, by its id
   *  (only to name a conversation an alert is about). */
  supervised: Record<string, Conversation[]>;
  /** Supervisors' workstreams and admins' newest: what the supervisor view refreshes on. */
  watched: number;
  loaded: boolean;
  error: string | null;
}

export class Feed extends Store<FeedState> {
  private follower: Follower | null = null;
  /** Called with each offer the feed had not shown before (the sound, the announcement). */
  onNewOffer: (offer: Conversation) => void = () => undefined;
  /** Called with each service-level warning or breach, sent to this person or to a group of theirs. */
  onAlert: (notice: SlaNotice, route: NoticeRoute) => void = () => undefined;
  /** Called with each note that named this person. */
  onMention: (notice: MentionNotice) => void = () => undefined;

  constructor(me: Me) {
    super({ work: { presence: me.presence, load: me.load, capacity: me.capacity }, offers: [], mine: [],
      queues: [], all: [], supervised: {}, watched: 0, loaded: false, error: null });
  }

  start(): void {
    this.follower?.stop();
    this.follower = new Follower({
      changes: (changes, whole) => this.apply(changes, whole),
      failed: (message) => this.update({ error: message, loaded: true }),
      alert: (notice, route) => this.onAlert(notice, route),
      mention: (notice) => this.onMention(notice),
    });
    this.follower.start();
  }

  stop(): void {
    this.follower?.stop();
    this.follower = null;
  }

  /** An answer of the feed: `whole`, every list; else the lists that changed, each whole
   *  (a queue's list among the agent's queues: the others are as they were). */
  apply(changes: Changes, whole = true): void {
    const state = this.get();
    const change: Partial<FeedState> = { loaded: true, error: null };
    if (changes.me) change.work = { ...state.work, ...changes.me };
    if (changes.offers) {
      const known = new Set(state.offers.map((c) => c.id));
      if (state.loaded) changes.offers.filter((c) => !known.has(c.id)).forEach((c) => this.onNewOffer(c));
      change.offers = changes.offers;
    }
    if (changes.mine) change.mine = changes.mine;
    if (whole) change.queues = changes.queues ?? []; // every list: none left of queues no longer followed
    else if (changes.queues) change.queues = merged(state.queues, changes.queues);
    if (changes.all) change.all = changes.all;
    if (changes.workstreams) {
      change.supervised = { ...state.supervised };
      for (const w of changes.workstreams) if (w.workstream_id) change.supervised[w.workstream_id] = w.conversations ?? [];
    }
    if (changes.workstreams || changes.all) change.watched = state.watched + 1;
    this.update(change);
  }

  /** A conversation of the lists as last read, by id. */
  find(id: string): Conversation | undefined {
    const { offers, mine, queues, all, supervised } = this.get();
    return [...offers, ...mine, ...queues.flatMap((q) => q.conversations), ...all, ...Object.values(supervised).flat()]
      .find((c) => c.id === id);
  }

  /** The open conversation was marked seen: its card in Mine shows the answer's unread count
   *  (unless the feed already brought a later version of it). */
  seen(answer: Conversation): void {
    const fresh = (c: Conversation) => c.id === answer.id && c.version <= answer.version;
    const { mine } = this.get();
    if (mine.some(fresh)) this.update({ mine: mine.map((c) => (fresh(c) ? { ...c, unread: answer.unread } : c)) });
  }

  /** A conversation given new labels (PUT …/labels): its cards show them at once, before the
   *  feed reports the change (unless it already brought a later version). Labels move nothing. */
  labelled(answer: Conversation): void {
    const relabel = (list: Conversation[]) =>
      list.map((c) => (c.id === answer.id && c.version <= answer.version ? { ...c, labels: answer.labels } : c));
    const { offers, mine, queues, all } = this.get();
    this.update({ offers: relabel(offers), mine: relabel(mine), all: relabel(all),
      queues: queues.map((q) => ({ ...q, conversations: relabel(q.conversations) })) });
  }

  setWork(me: Work): void {
    this.update({ work: { presence: me.presence, load: me.load, capacity: me.capacity } });
  }

  /** A conversation the agent just changed (accepted, declined, transferred, closed):
   *  moved between the lists at once, before the feed reports it. When the feed has
   *  reported it already (live updates often arrive before the action's own answer), the
   *  lists are the API's and stay as they are. */
  put(conversation: Conversation, meId: string): void {
    const { messages: _m, history: _h, workstream: _w, ...summary } = conversation;
    const others = (list: Conversation[]) => list.filter((c) => c.id !== summary.id);
    const held = summary.agent?.id === meId && summary.state !== "closed";
    const offered = summary.offer?.agent.id === meId;
    const state = this.get();
    const listed = [...state.offers, ...state.mine, ...state.all, ...state.queues.flatMap((q) => q.conversations)];
    if (listed.some((c) => c.id === summary.id && c.version >= summary.version)) return;
    this.update({
      mine: held ? [summary, ...others(state.mine)] : others(state.mine),
      offers: offered ? state.offers : others(state.offers),
      queues: state.queues.map((q) => ({ ...q, conversations: others(q.conversations) })),
      all: state.all.map((c) => (c.id === summary.id ? summary : c)),
    });
  }
}

/** The feed of the signed-in person while the calling screen is shown; a new offer is
 *  announced to screen readers and, when the agent turned it on, chimes. */
export function useFeed(me: Me): { feed: Feed; announcement: string } {
  const feed = useMemo(() => new Feed(me), [me]);
  const [announcement, setAnnouncement] = useState("");
  useEffect(() => {
    feed.onNewOffer = (c) => {
      setAnnouncement(`New offer: ${c.contact?.name || c.customer_name || c.customer}`);
      chime();
    };
    feed.start();
    return () => feed.stop();
  }, [feed]);
  return { feed, announcement };
}

const queueKey = (q: QueuePage) => `${q.workstream_id}|${q.queue ?? ""}`;

/** The queues' lists with those that changed in place of what they were (a new one last). */
function merged(lists: QueuePage[], changed: QueuePage[]): QueuePage[] {
  const fresh = new Map(changed.map((q) => [queueKey(q), q]));
  const known = new Set(lists.map(queueKey));
  return [...lists.map((q) => fresh.get(queueKey(q)) ?? q), ...changed.filter((q) => !known.has(queueKey(q)))];
}
