// Who is signed in. Easy Auth (in Azure, and the local host's emulation under `make run`)
// answers /.auth/me with the session's identity; nobody signed in is sent to its sign-in
// page, which comes back here. The roles and queues come from the API's /api/me.

import { api } from "./api";
import type { Me } from "./types";

export const SIGN_OUT_URL = "/.auth/logout?post_logout_redirect_uri=/";

const OFFLINE_WAIT_MS = 2000;

/** Sign out: an agent goes offline first, so that what is offered moves on to someone else
 *  now instead of lapsing on a screen nobody sees (waiting for that at most 2 s), then the
 *  session ends. */
export async function signOut(me: Me): Promise<void> {
  if (me.roles.includes("agent")) {
    const offline = api.put("/me/presence", { presence: "offline" }).catch(() => undefined);
    await Promise.race([offline, new Promise((done) => setTimeout(done, OFFLINE_WAIT_MS))]);
  }
  window.location.assign(SIGN_OUT_URL);
}

export function signIn(): void {
  const back = `/${window.location.hash}`;
  window.location.assign(`/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(back)}`);
}

async function hasSession(): Promise<boolean> {
  const response = await fetch("/.auth/me", { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) return false;
  const body = await response.json();
  // App Service answers a list of identities; Static Web Apps' shape is {clientPrincipal}.
  return Array.isArray(body) ? body.length > 0 : Boolean(body?.clientPrincipal);
}

/** The signed-in person, or null once the browser is on its way to signing in. Both
 *  questions go out at once: a first load waits for one round trip, not two. */
export async function loadSession(): Promise<Me | null> {
  const me = api.get<Me>("/me");
  me.catch(() => undefined); // answered below, or moot once the browser leaves to sign in
  if (!(await hasSession())) {
    signIn();
    return null;
  }
  return me;
}

export const ROLE_LABELS: Record<string, string> = { admin: "Admin", supervisor: "Supervisor", agent: "Agent" };

export type Role = Me["roles"][number];

export function can(me: Me, ...roles: Role[]): boolean {
  return roles.some((role) => me.roles.includes(role));
}
