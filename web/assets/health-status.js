// Shows the live answer of GET /api/health beside its link. The page works without it:
// the link itself shows the same answer.
const status = document.getElementById("health-status");

function show(text, state) {
  status.textContent = text;
  status.dataset.state = state;
}

async function check() {
  show("checking…", "unknown");
  try {
    const response = await fetch("/api/health", { cache: "no-store" });
    const body = await response.json();
    if (response.ok) {
      show("ok", "ok");
    } else {
      show(`unavailable (${body.reason ?? response.status})`, "down");
    }
  } catch {
    show("not answering", "down");
  }
}

check();
