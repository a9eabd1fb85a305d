// The web app's entry: find out who is signed in (or go and sign in), then render.

import { render } from "preact";
import { App } from "./App";
import { loadSession } from "./session";

async function start(root: HTMLElement): Promise<void> {
  try {
    const me = await loadSession();
    if (!me) return;
    root.replaceChildren();
    render(<App me={me} />, root);
  } catch (error) {
    root.querySelector("main p")!.textContent = `Switchboard could not start: ${(error as Error).message}`;
  }
}

void start(document.getElementById("app")!);
