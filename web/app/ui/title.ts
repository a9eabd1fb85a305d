// The browser tab's title: the screen's name, and while the inbox is shown, how many
// customer messages of the conversations the agent holds are unread ("(3) Inbox · Switchboard"),
// so a tab in the background still says that a customer wrote.

let screen = "Inbox";
let unread = 0;

function write(): void {
  document.title = `${unread > 0 ? `(${unread}) ` : ""}${screen} · Switchboard`;
}

export function titleScreen(name: string): void {
  screen = name;
  write();
}

export function titleUnread(count: number): void {
  unread = count;
  write();
}
