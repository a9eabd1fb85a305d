// The open conversation marked seen (POST /api/conversations/{id}/seen), so its unread count
// clears: once when it is opened, and again whenever the agent holds it and customer messages
// arrive unseen while it is open. A tab in the background marks nothing until it is shown:
// the count (and the tab's title) keeps saying a customer wrote until someone could see it.

import { useEffect, useRef, useState } from "preact/hooks";
import type { Conversation, Me } from "../types";
import { markSeen } from "./conversation";

function useVisible(): boolean {
  const [visible, setVisible] = useState(!document.hidden);
  useEffect(() => {
    const changed = () => setVisible(!document.hidden);
    document.addEventListener("visibilitychange", changed);
    return () => document.removeEventListener("visibilitychange", changed);
  }, []);
  return visible;
}

/** `onSeen` gets the API's answer (the conversation without its messages). */
export function useSeen(conversation: Conversation | null, me: Me, onSeen: (answer: Conversation) => void): void {
  const visible = useVisible();
  const opened = useRef(false);
  const unseen = conversation?.agent?.id === me.id ? conversation.unread : 0;
  const loaded = conversation !== null;
  useEffect(() => {
    if (!conversation || !visible || (opened.current && unseen === 0)) return;
    opened.current = true;
    markSeen(conversation.id).then(onSeen, () => undefined); // not marked: the count stays, nothing breaks
  }, [loaded, visible, unseen]);
}
