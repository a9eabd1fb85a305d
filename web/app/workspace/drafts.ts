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
