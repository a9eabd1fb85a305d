// The app's frame: the masthead (where to go, who is signed in, signing out) and the
// screen the route names.

import { useEffect, useRef } from "preact/hooks";
import { Accounts } from "./admin/Accounts";
import { Agents } from "./admin/Agents";
import { Audit } from "./admin/Audit";
import { Contacts } from "./admin/Contacts";
import { Erasure } from "./admin/Erasure";
import { Labels } from "./admin/Labels";
import { Rates } from "./admin/Rates";
import { Retention } from "./admin/Retention";
import { Skills } from "./admin/Skills";
import { Workstreams } from "./admin/Workstreams";
import { Reports } from "./reports/Reports";
import { href, useRoute } from "./router";
import { ROLE_LABELS, SIGN_OUT_URL, can, signOut } from "./session";
import type { Me } from "./types";
import { SaveStatus } from "./ui/saved";
import { titleScreen } from "./ui/title";
import { dropDrafts } from "./workspace/drafts";
import { Supervisor } from "./workspace/Supervisor";
import { Workspace } from "./workspace/Workspace";

const ADMIN_PAGES: [string, string][] = [["accounts", "Accounts"], ["workstreams", "Workstreams"],
  ["agents", "Agents"], ["skills", "Skills"], ["labels", "Labels"], ["rates", "Rates"], ["contacts", "Contacts"], ["retention", "Retention"],
  ["audit", "Audit trail"], ["erasure", "Erasure"]];

function Screen({ me, route }: { me: Me; route: string[] }) {
  const [section, page, id] = route;
  if (section === "admin") {
    if (!can(me, "admin")) return <Notice text="The admin pages need the Switchboard.Admin role." />;
    if (page === "accounts") return <Accounts id={id ?? null} />;
    if (page === "workstreams") return <Workstreams id={id ?? null} />;
    if (page === "agents") return <Agents id={id ?? null} />;
    if (page === "skills") return <Skills />;
    if (page === "labels") return <Labels />;
    if (page === "rates") return <Rates />;
    if (page === "contacts") return <Contacts id={id ?? null} />;
    if (page === "retention") return <Retention />;
    if (page === "audit") return <Audit />;
    if (page === "erasure") return <Erasure />;
    return <Notice text="There is no such admin page." />;
  }
  if (section === "supervise") {
    if (!can(me, "supervisor", "admin")) return <Notice text="Supervising needs the Switchboard.Supervisor role." />;
    return <Supervisor me={me} />;
  }
  if (section === "reports") {
    if (!can(me, "supervisor", "admin")) return <Notice text="Reports need the Switchboard.Supervisor role." />;
    return <Reports me={me} />;
  }
  if (!can(me, "agent", "supervisor", "admin")) {
    return <Notice text="Your sign-in carries no Switchboard role: ask an admin for Switchboard.Agent." />;
  }
  return <Workspace me={me} selected={section === "inbox" && page ? page : null} />;
}

function Notice({ text }: { text: string }) {
  return <div class="page"><h2>Switchboard</h2><p class="notice">{text}</p></div>;
}

export function App({ me }: { me: Me }) {
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const area = route[0] === "admin" ? route[1] : route[0] === "supervise" || route[0] === "reports" ? route[0] : "inbox";
  useEffect(() => {
    const name = area === "supervise" ? "Supervise" : area === "reports" ? "Reports"
      : ADMIN_PAGES.find(([key]) => key === area)?.[1] ?? "Inbox";
    titleScreen(name);
  }, [area]);
  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => { e.preventDefault(); main.current?.focus(); }}>Skip to content</a>
      <header class="masthead">
        <a class="brand" href={href("inbox")}>Switchboard</a>
        <nav aria-label="Main">
          <ul>
            <li><a href={href("inbox")} aria-current={area === "inbox" ? "page" : undefined}>Inbox</a></li>
            {can(me, "supervisor", "admin") ? (
              <li><a href={href("supervise")} aria-current={area === "supervise" ? "page" : undefined}>Supervise</a></li>
            ) : null}
            {can(me, "supervisor", "admin") ? (
              <li><a href={href("reports")} aria-current={area === "reports" ? "page" : undefined}>Reports</a></li>
            ) : null}
            {can(me, "admin") ? ADMIN_PAGES.map(([key, name]) => (
              <li key={key}>
                <a href={href("admin", key)} aria-current={area === key ? "page" : undefined}>{name}</a>
              </li>
            )) : null}
            <li><a href="/api-reference">API reference</a></li>
          </ul>
        </nav>
        <div class="who">
          <span class="name">{me.name}</span>
          <span class="roles">{me.roles.map((r) => ROLE_LABELS[r] ?? r).join(", ") || "no role"}</span>
          <a href={SIGN_OUT_URL} onClick={(event) => {
            event.preventDefault();
            dropDrafts();
            void signOut(me);
          }}>Sign out</a>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <h1 class="visually-hidden">Switchboard</h1>
        <Screen me={me} route={route} />
        <SaveStatus />
      </main>
    </>
  );
}
