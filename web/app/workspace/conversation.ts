// One open conversation, read by id and read again every few seconds (delivery reports,
// the customer's new messages), with the actions an agent takes on it.

import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError, api, problem } from "../api";
import type { Conversation, Message } from "../types";
import { POLL_MS } from "./inbox";

export function useConversation(id: string) {
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const reload = useCallback(async () => {
    try {
      setConversation(await api.get<Conversation>(`/conversations/${encodeURIComponent(id)}`));
      setError(null);
    } catch (caught) {
      setError(problem(caught));
    }
  }, [id]);
  useEffect(() => {
    void reload();
    const timer = window.setInterval(() => { if (!document.hidden) void reload(); }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [reload]);
  return { conversation, error, reload };
}

export type Action = "accept" | "wait" | "close";

export function act(id: string, action: Action): Promise<Conversation> {
  return api.post<Conversation>(`/conversations/${encodeURIComponent(id)}/${action}`);
}

export interface Attachment {
  url: string;
  content_type: string;
}

export function reply(id: string, body: string, media: Attachment[]): Promise<Message> {
  return api.post<Message>(`/conversations/${encodeURIComponent(id)}/messages`,
    media.length ? { body, media } : { body });
}

export function sendTemplate(id: string, name: string, language: string, parameters: string[]): Promise<Message> {
  return api.post<Message>(`/conversations/${encodeURIComponent(id)}/template`, { name, language, parameters });
}

/** WhatsApp allows free text only inside 24 hours of the customer's last message. */
export function windowClosed(c: Conversation, now: number = Date.now()): boolean {
  return c.channel === "whatsapp" && (!c.reply_window_ends_at || new Date(c.reply_window_ends_at).getTime() <= now);
}
