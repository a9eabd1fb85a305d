// Service-level alerts: a warning or breach the server just recorded on a conversation the
// agent holds or is offered, or, for a supervisor, on any conversation of a workstream they
// supervise (the notice comes through that workstream's group). The notice names only ids
// and targets, so the customer is named as the inbox's lists know them; where they do not,
// a supervisor's alert names the conversation's workstream (read once: the notice does not
// name it), an agent's "a conversation". No message ever shows.

import { useEffect } from "preact/hooks";
import { api } from "../api";
import type { Conversation, NoticeRoute, ServiceTarget, SlaNotice } from "../types";
import { customerLabel } from "./conversation";
import type { Feed } from "./feed";
import { TARGET_NAMES } from "./ServiceClock";
import { ToastList, useOnce, useToastList } from "./ToastList";

/** One line per target the notice names, at its worst level: "First response for Ana is late". */
export function alertLines(notice: SlaNotice, who: string): { text: string; late: boolean }[] {
  const late = new Map<ServiceTarget, boolean>();
  notice.alerts.forEach((a) => late.set(a.target, late.get(a.target) || a.level === "breached"));
  return [...late].map(([target, isLate]) => ({
    text: `${TARGET_NAMES[target]} for ${who} is ${isLate ? "late" : "due soon"}`, late: isLate,
  }));
}

/** Who the alert is about: the customer from the loaded lists, else (a supervisor's) the workstream. */
async function subject(feed: Feed, notice: SlaNotice, route: NoticeRoute): Promise<string> {
  const found = feed.find(notice.conversation_id);
  if (found) return customerLabel(found);
  if (route === "user") return "a conversation";
  const read = await api.get<Conversation>(`/conversations/${encodeURIComponent(notice.conversation_id)}`)
    .catch(() => null);
  return read?.workstream ? `a conversation in ${read.workstream.name}` : "a conversation";
}

export function SlaToasts({ feed }: { feed: Feed }) {
  const { toasts, add, dismiss } = useToastList();
  const first = useOnce();
  useEffect(() => {
    feed.onAlert = (notice, route) => {
      if (!first(`${notice.conversation_id}/${notice.version}`)) return;
      void subject(feed, notice, route).then((who) => add(alertLines(notice, who).map((line) => (
        { id: notice.conversation_id, text: line.text, tone: line.late ? "late" : "soon" }))));
    };
    return () => { feed.onAlert = () => undefined; };
  }, [feed]);
  return <ToastList label="Service-level alerts" toasts={toasts} dismiss={dismiss} />;
}
