// When the workspace calls the change feed (GET /api/me/changes), which answers every list
// without a cursor and, with one, the lists that changed since. A first call reads them all.
// When the API offers a socket (Web PubSub, live.ts), the socket says when to call again:
// once per burst of its notices, once on every (re)connection (what happened while it was
// away) and every RESYNC_MS besides (a publish the service lost); nothing is held open on
// the API meanwhile, and the socket's connection keeps the agent present. Without a socket
// (the API offers none, asking failed, or it is not connected) the feed long-polls as it
// always did, each call waiting up to WAIT_S seconds; those calls are the agent's heartbeat
// then, and they stop as soon as the socket is connected again.

import { api, problem } from "../api";
import type { Changes, MentionNotice, NoticeRoute, SlaNotice } from "../types";
import { Live, negotiate } from "./live";

export const WAIT_S = 25;
const RETRY_MAX_MS = 30_000;
/** Notices of one change arrive together: one call after the first of them is enough. */
const BURST_MS = 100;
/** The safety net for a lost publish while the socket is up (the API asks for at most one a minute). */
const RESYNC_MS = 5 * 60_000;
/** A dropped socket usually comes back at once (and re-syncs); the long poll starts only when
 *  it has not by then, so a service-wide drop does not send every workspace to long-poll. */
const FALLBACK_MS = 3_000;
/** Asking for a socket failed (not "long_poll": an error): asked again this long after, doubling. */
const ASK_AGAIN_MS = 60_000;
const ASK_AGAIN_MAX_MS = 10 * 60_000;

/** Everything at once without a cursor; with one, what changed, waiting up to `wait` seconds. */
const changesSince = (since: string | undefined, wait: number, signal?: AbortSignal) =>
  api.get<Changes>("/me/changes", { since, wait: since ? wait : 0 }, signal);

const sleep = (ms: number) => new Promise((resolve) => window.setTimeout(resolve, ms));
const backoff = (failures: number) => Math.min(RETRY_MAX_MS, 500 * 2 ** failures);

export interface FollowEvents {
  /** An answer: `whole` when it was a first call (every list), else the lists that changed. */
  changes(changes: Changes, whole: boolean): void;
  failed(message: string): void;
  /** A service-level warning or breach, to this person or through a workstream's group
   *  (only the socket brings them). */
  alert(notice: SlaNotice, route: NoticeRoute): void;
  /** A note named this person (only the socket brings them). */
  mention(notice: MentionNotice): void;
}

/** Follows the change feed from start() until stop(); one use. */
export class Follower {
  private stopped = false;
  private cursor: string | undefined;
  private live: Live | null = null;
  /** The socket is connected: no long poll, the re-sync timer instead. */
  private connected = false;
  /** The long poll's run: aborting it ends the loop and the call it waits on. */
  private poll: AbortController | null = null;
  private syncing: Promise<void> | null = null;
  private syncAgain = false;
  private syncFailures = 0;
  /** When the last call without a cursor was made: every list is read whole again after a
   *  (re)connection and every RESYNC_MS, so a list no longer followed (a queue taken from
   *  the agent) leaves the screen; the answers between carry only what changed. */
  private wholeAt = 0;
  private burst: number | undefined;
  private resync: number | undefined;
  private fallback: number | undefined;
  private askAgain: number | undefined;

  constructor(private readonly events: FollowEvents) {}

  start(): void {
    void this.sync();
    void this.connect(ASK_AGAIN_MS);
  }

  stop(): void {
    this.stopped = true;
    this.live?.stop();
    this.stopPolling();
    [this.burst, this.resync, this.fallback, this.askAgain].forEach((timer) => window.clearTimeout(timer));
  }

  /** The socket when the API offers one; the long poll otherwise, and while asking fails
   *  (the API or Web PubSub unavailable), asked again `after` ms later. */
  private async connect(after: number): Promise<void> {
    const answer = await negotiate().catch(() => null);
    if (this.stopped) return;
    if (answer?.transport !== "websocket" || !answer.url) {
      this.startPolling();
      if (!answer) {
        this.askAgain = window.setTimeout(() => void this.connect(Math.min(ASK_AGAIN_MAX_MS, after * 2)), after);
      }
      return;
    }
    this.live = new Live(answer.url, {
      up: () => this.up(), down: () => this.down(), changed: () => this.changed(),
      alert: (notice, route) => this.events.alert(notice, route), mention: (notice) => this.events.mention(notice),
    });
    this.live.start();
  }

  private up(): void {
    this.connected = true;
    this.wholeAt = 0; // what changed while down may include the lists followed
    window.clearTimeout(this.fallback);
    this.fallback = undefined;
    this.stopPolling();
    void this.sync();
  }

  private down(): void {
    this.connected = false;
    window.clearTimeout(this.resync);
    this.fallback ??= window.setTimeout(() => {
      this.fallback = undefined;
      if (!this.connected && !this.stopped) this.startPolling();
    }, FALLBACK_MS);
  }

  /** A notice: one call for the burst it starts (sync() runs one more for notices that
   *  arrive while a call runs). */
  private changed(): void {
    if (this.burst !== undefined) return;
    this.burst = window.setTimeout(() => {
      this.burst = undefined;
      void this.sync();
    }, BURST_MS);
  }

  /** What changed, now (wait=0). Asked while a call runs, it runs exactly once more after it. */
  private sync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    const run = async () => {
      do {
        this.syncAgain = false;
        await this.call(0);
      } while (this.syncAgain && !this.stopped);
      this.syncing = null;
    };
    this.syncing = run();
    return this.syncing;
  }

  /** One call, its answer passed on; false when it failed (passed on) or is no longer wanted. */
  private async call(wait: number, signal?: AbortSignal): Promise<boolean> {
    let ok = false;
    try {
      if (Date.now() - this.wholeAt >= RESYNC_MS) this.cursor = undefined;
      const whole = this.cursor === undefined;
      if (whole) this.wholeAt = Date.now();
      const changes = await changesSince(this.cursor, wait, signal);
      if (this.stopped || signal?.aborted) return false;
      this.cursor = changes.cursor;
      this.events.changes(changes, whole);
      ok = true;
    } catch (error) {
      if (this.stopped || signal?.aborted) return false;
      this.events.failed(problem(error).message);
    }
    if (!wait) this.scheduleResync(ok);
    return ok;
  }

  /** While the socket is up: the next re-sync, RESYNC_MS on, or sooner after a failed call. */
  private scheduleResync(ok: boolean): void {
    window.clearTimeout(this.resync);
    if (!this.connected) return; // the long poll keeps the lists current meanwhile
    this.syncFailures = ok ? 0 : this.syncFailures + 1;
    this.resync = window.setTimeout(() => void this.sync(), ok ? RESYNC_MS : backoff(this.syncFailures));
  }

  private startPolling(): void {
    if (this.poll || this.stopped) return;
    this.poll = new AbortController();
    void this.follow(this.poll.signal);
  }

  private stopPolling(): void {
    this.poll?.abort();
    this.poll = null;
  }

  /** The long poll, as the workspace always had it. */
  private async follow(signal: AbortSignal): Promise<void> {
    await this.syncing; // the first call, which answers every list
    let failures = 0;
    while (!this.stopped && !signal.aborted) {
      if (await this.call(WAIT_S, signal)) {
        failures = 0;
      } else if (!this.stopped && !signal.aborted) {
        failures++;
        await sleep(backoff(failures));
      }
    }
  }
}
