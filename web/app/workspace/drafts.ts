// What an agent typed in a conversation's reply box and has not sent, kept for this tab
// (sessionStorage: it survives switching conversations and a reload, and goes with the
// tab or on signing out) under the agent's own id (whoever signs in next in the tab sees
// none of it), so a busy agent who answers an offer or looks elsewhere comes back to it.

const PREFIX = "switchboard.draft.";

export function savedDraft(agentId: string, conversationId: string): string {
  try {
    return window.sessionStorage.getItem(`${PREFIX}${agentId}.${conversationId}`) ?? "";
  } catch {
    return "";
  }
}

export function saveDraft(agentId: string, conversationId: string, text: string): void {
  const key = `${PREFIX}${agentId}.${conversationId}`;
  try {
    if (text) window.sessionStorage.setItem(key, text);
    else window.sessionStorage.removeItem(key);
  } catch {
    // storage off or full: the draft lasts while its conversation is on screen
  }
}

/** Every draft of this tab gone: whoever signs in next does not see them. */
export function dropDrafts(): void {
  try {
    for (const key of Object.keys(window.sessionStorage)) {
      if (key.startsWith(PREFIX)) window.sessionStorage.removeItem(key);
    }
  } catch {
    // nothing kept
  }
}

/** Replies on their way (asked for, not answered yet), by agent and conversation: their
 *  text. A box opened again meanwhile shows the text as its draft; it may not send it until
 *  the first request is answered (then it empties if that went out), so nothing goes twice
 *  and nothing is taken for sent that was not. */
const onTheirWay = new Map<string, string>();
const settledListeners = new Set<(conversationId: string, text: string, sent: boolean) => void>();

export function sending(agentId: string, conversationId: string, text: string): void {
  onTheirWay.set(`${agentId}.${conversationId}`, text);
}

export function onItsWay(agentId: string, conversationId: string, text: string): boolean {
  return onTheirWay.get(`${agentId}.${conversationId}`) === text;
}

/** The request for the reply was answered: ``sent`` when it went out (or is the outbox's to
 *  send), when its draft goes too, wherever it shows. */
export function settled(agentId: string, conversationId: string, text: string, sent: boolean): void {
  const key = `${agentId}.${conversationId}`;
  if (onTheirWay.get(key) === text) onTheirWay.delete(key);
  if (sent && savedDraft(agentId, conversationId) === text) saveDraft(agentId, conversationId, "");
  settledListeners.forEach((listener) => listener(conversationId, text, sent));
}

export function whenSettled(listener: (conversationId: string, text: string, sent: boolean) => void): () => void {
  settledListeners.add(listener);
  return () => {
    settledListeners.delete(listener);
  };
}
