// The workspace's push channel: a WebSocket to Azure Web PubSub, so the API tells the
// workspace when something changed instead of the workspace holding a long poll open.
// GET /api/me/realtime hands out a client URL with a short-lived token; the API decides the
// groups the connection joins (the client may not join or leave any), and what it sends
// names lists, never their content: whatever arrives means "ask the change feed" (an `sla`
// notice also names a conversation's service-level warning or breach: passed on as an
// alert, with whether it came to this person or through a workstream's group, which only
// that workstream's supervisors join; a `mention` notice says a note named this person:
// passed on too). The plain JSON subprotocol, not the reliable one: a lost message costs
// nothing, because every (re)connection is followed by a re-sync. Each connection attempt
// asks the route again, so every reconnect gets a fresh token. Whoever owns a Live hears up
// (connected, the first time and after every reconnect), down (not connected: retrying, or
// given up for now), changed, alert and mention; while it is down, the owner keeps itself
// current another way (follow.ts).

import { WebPubSubClient, WebPubSubJsonProtocol } from "@azure/web-pubsub-client";
import { api } from "../api";
import type { MentionNotice, NoticeRoute, Realtime, SlaNotice } from "../types";

/** How long a first connection may take before the owner is told it is down. */
const CONNECT_GRACE_MS = 2_000;
/** Reconnects back off from 1 s to 30 s; after this many the client stops and, unless the
 *  Live was stopped, is started afresh RESTART_MS later (bounds what a stopped one retries). */
const RECONNECT_RETRIES = 10;
const RESTART_MS = 30_000;
/** The library reconnects at once when an open socket closes; a socket that keeps closing
 *  soon after it opened would ask the route in a tight loop, so attempts are spaced too
 *  (1 s, 2 s, … 30 s) until a connection stays up this long. */
const STABLE_MS = 30_000;
const SPACING_MAX_MS = 30_000;

export interface LiveEvents {
  up(): void;
  down(): void;
  changed(): void;
  alert(notice: SlaNotice, route: NoticeRoute): void;
  mention(notice: MentionNotice): void;
}

/** What GET /api/me/realtime says; anything but a socket URL is an error to a reconnect. */
export const negotiate = () => api.get<Realtime>("/me/realtime");

async function socketUrl(): Promise<string> {
  const answer = await negotiate();
  if (answer.transport !== "websocket" || !answer.url) throw new Error("the API offers no socket any more");
  return answer.url;
}

const typeOf = (data: unknown): unknown => (typeof data === "object" && data !== null
  ? (data as { type?: unknown }).type : undefined);
const isSla = (data: unknown): data is SlaNotice => typeOf(data) === "sla";
const isMention = (data: unknown): data is MentionNotice => typeOf(data) === "mention";

const sleep = (ms: number) => new Promise((resolve) => window.setTimeout(resolve, ms));

export class Live {
  private readonly client: WebPubSubClient;
  private stopped = false;
  private connected = false;
  private timer: number | undefined;
  /** Connection attempts since a connection last stayed up STABLE_MS, and when the last began. */
  private attempts = 0;
  private attemptedAt = 0;
  private upAt = 0;

  /** `url`: the client URL the caller just negotiated, used for the first connection. */
  constructor(url: string, private readonly events: LiveEvents) {
    let first: string | undefined = url;
    this.client = new WebPubSubClient({
      getClientAccessUrl: async () => {
        await this.spaced();
        if (this.stopped) throw new Error("stopped");
        const fresh = first ?? await socketUrl();
        first = undefined;
        return fresh;
      },
    }, {
      protocol: WebPubSubJsonProtocol(),
      autoReconnect: true,
      reconnectRetryOptions: { mode: "Exponential", retryDelayInMs: 1_000, maxRetryDelayInMs: 30_000,
        maxRetries: RECONNECT_RETRIES },
    });
    this.client.on("connected", () => {
      // A stop during a connection attempt does not reach the library (it stops open sockets only).
      if (this.stopped) return this.client.stop();
      this.connected = true;
      this.upAt = Date.now();
      window.clearTimeout(this.timer);
      this.events.up();
    });
    this.client.on("disconnected", () => this.lost());
    this.client.on("stopped", () => {
      this.lost();
      this.restartLater();
    });
    this.client.on("server-message", (e) => {
      if (this.stopped) return;
      const data = e.message.data;
      if (isSla(data)) this.events.alert(data, "user");
      if (isMention(data)) this.events.mention(data);
      this.events.changed();
    });
    this.client.on("group-message", (e) => {
      if (this.stopped) return;
      if (isSla(e.message.data)) this.events.alert(e.message.data, "group");
      this.events.changed();
    });
  }

  start(): void {
    if (this.stopped) return;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.connected || this.events.down(), CONNECT_GRACE_MS);
    this.client.start().catch(() => {
      this.lost();
      this.restartLater();
    });
  }

  stop(): void {
    this.stopped = true;
    this.connected = false;
    window.clearTimeout(this.timer);
    this.client.stop();
  }

  private lost(): void {
    if (this.stopped) return;
    if (this.connected && Date.now() - this.upAt >= STABLE_MS) this.attempts = 0;
    this.connected = false;
    this.events.down();
  }

  /** Waits what is left of this attempt's spacing since the last one began. */
  private async spaced(): Promise<void> {
    const spacing = this.attempts ? Math.min(SPACING_MAX_MS, 1_000 * 2 ** (this.attempts - 1)) : 0;
    const left = this.attemptedAt + spacing - Date.now();
    if (left > 0) await sleep(left);
    this.attempts++;
    this.attemptedAt = Date.now();
  }

  private restartLater(): void {
    if (this.stopped) return;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.start(), RESTART_MS);
  }
}
