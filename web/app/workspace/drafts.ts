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

/** A reply on its way, by agent and conversation: its text and Idempotency-Key, so that a
 *  box opened again while it is (its draft still there) sends the same message again, once
 *  (the API answers the first answer), and is emptied when it is answered. */
const onTheirWay = new Map<string, { text: string; key: string }>();
const answered = new Set<(conversationId: string, text: string) => void>();

export function sending(agentId: string, conversationId: string, text: string, key: string): void {
  onTheirWay.set(`${agentId}.${conversationId}`, { text, key });
}

/** The key of the reply on its way with this text, if one is. */
export function keyOnItsWay(agentId: string, conversationId: string, text: string): string | null {
  const sent = onTheirWay.get(`${agentId}.${conversationId}`);
  return sent && sent.text === text ? sent.key : null;
}

/** The reply was answered (sent, or refused for good): its draft is gone wherever it shows. */
export function sendAnswered(agentId: string, conversationId: string, text: string, delivered: boolean): void {
  onTheirWay.delete(`${agentId}.${conversationId}`);
  if (!delivered) return;
  if (savedDraft(agentId, conversationId) === text) saveDraft(agentId, conversationId, "");
  answered.forEach((listener) => listener(conversationId, text));
}

/** Told when a reply is answered as sent: a box showing its text empties. */
export function whenSent(listener: (conversationId: string, text: string) => void): () => void {
  answered.add(listener);
  return () => {
    answered.delete(listener);
  };
}
