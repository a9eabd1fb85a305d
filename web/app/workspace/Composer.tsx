// The composer: Reply or Internal note (NoteForm.tsx), each keeping its draft while the
// other is shown. A reply is free text up to 1600 characters (Enter sends, Shift+Enter is a
// new line), quick replies with their placeholders filled (one without a value stays in the
// text, named beside it, and nothing is sent until the agent types over it), attachments where
// the workstream allows them, reply buttons or a list on WhatsApp (ui/interactive.tsx), and templates, the only choice once the WhatsApp window has
// closed. A refused send shows the API's answer here, where it happened.

import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, problem } from "../api";
import { characters, fillPlaceholders, unfilled } from "../format";
import type { Conversation, Me, QuickReply } from "../types";
import {
  type Attachment, answerRefused, customerLabel, newKey, outcomeUnknown, owed, reply, sendRefused, windowClosed,
} from "./conversation";
import { type ComposeMode, ModeChoice, NoteForm } from "./NoteForm";
import { TemplateForm } from "./TemplateForm";
import { onItsWay, saveDraft, savedDraft, sending, settled, whenSettled } from "./drafts";
import { InteractiveBuilder, type InteractiveDraft, draftOf, interactivePayload, newButtons, newList } from "../ui/interactive";
import { fieldId } from "../ui/paths";

export const MAX_BODY = 1600;

interface Props {
  conversation: Conversation;
  me: Me;
  onSent: () => Promise<void>;
}

export function Composer({ conversation, me, onSent }: Props) {
  const [mode, setMode] = useState<ComposeMode>("reply");
  // No Reply that could only be refused: a note, for whoever answers. The note keeps its
  // place either way, so a draft survives the conversation becoming refused (an opt-out).
  const refused = answerRefused(conversation, me) ?? sendRefused(conversation);
  return (
    <div class={`composer${refused || mode === "note" ? " note-mode" : ""}`}>
      {refused ? <p class="notice" id="reply-refused">{refused}</p> : <ModeChoice mode={mode} setMode={setMode} />}
      {refused ? null : <div hidden={mode !== "reply"}><Reply conversation={conversation} me={me} onSent={onSent} /></div>}
      <div hidden={!refused && mode !== "note"}><NoteForm conversation={conversation} onAdded={onSent} /></div>
    </div>
  );
}

function Reply({ conversation, me, onSent }: Props) {
  if (windowClosed(conversation)) {
    return (
      <>
        <p class="notice" id="window-note">The customer has not written in the last 24 hours, so WhatsApp takes only
          an approved template until they write again.</p>
        <TemplateForm conversation={conversation} onSent={onSent} open />
      </>
    );
  }
  return (
    <>
      <FreeText conversation={conversation} me={me} onSent={onSent} />
      {conversation.workstream?.templates.length ? <TemplateForm conversation={conversation} onSent={onSent} /> : null}
    </>
  );
}

function FreeText({ conversation, me, onSent }: Props) {
  const [body, setBody] = useState(() => savedDraft(me.id, conversation.id));
  const [media, setMedia] = useState<Attachment[]>([]);
  const [interactive, setInteractive] = useState<InteractiveDraft | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [retrying, setRetrying] = useState<string | null>(null); // the message the provider has not taken yet
  const box = useRef<HTMLTextAreaElement>(null);
  const key = useRef<string | null>(null); // this composed message's, until it is changed or answered
  // the same text asked for from this conversation's box before it was opened again, not answered yet
  const [askedBefore, setAskedBefore] = useState(() => onItsWay(me.id, conversation.id, body));
  const elsewhere = askedBefore && onItsWay(me.id, conversation.id, body); // edited, it is another reply
  const queued = useRef(false); // sent again once the send under way is answered
  const workstream = conversation.workstream;
  const count = characters(body);
  const tooLong = count > MAX_BODY;
  const holes = unfilled(body); // {{...}} placeholders never go to the customer
  const showFirstHole = () => {
    box.current?.focus();
    if (holes.length) box.current?.setSelectionRange(holes[0].start, holes[0].end);
  };
  const [picks, setPicks] = useState(0); // each quick reply picked: once it shows, its first hole is selected
  useEffect(() => {
    if (picks) showFirstHole();
  }, [picks]);
  useEffect(() => saveDraft(me.id, conversation.id, body), [me.id, conversation.id, body]);
  useEffect(() => whenSettled((id: string, text: string, sent: boolean) => {
    if (id !== conversation.id) return;
    setAskedBefore(false);
    if (sent) setBody((now) => (now === text ? "" : now)); // sent from this box before it was opened again
  }), [conversation.id]);
  const edit = (next: string) => {
    key.current = null;
    setBody(next);
  };
  const editMedia = (next: Attachment[]) => {
    key.current = null;
    setMedia(next);
  };
  const editInteractive = (next: InteractiveDraft | null) => {
    key.current = null;
    setInteractive(next);
  };
  const send = async () => {
    if (holes.length) {
      showFirstHole();
      return;
    }
    if (tooLong || (!body.trim() && media.length === 0)) return;
    if (busy) {
      queued.current = true;
      return;
    }
    if (elsewhere) return; // its first request is still on its way
    setBusy(true);
    setError(null);
    key.current ??= newKey();
    sending(me.id, conversation.id, body);
    try {
      const sent = await reply(conversation.id, body, media.filter((m) => m.url.trim()), key.current,
        interactive ? interactivePayload(interactive) : undefined).catch((caught) => {
        throw namedInForm(problem(caught), media);
      });
      key.current = null;
      // Sent: no draft of it is left, also when the agent opened another conversation meanwhile.
      settled(me.id, conversation.id, body, true);
      setRetrying(owed(sent) ? sent.id : null);
      // What was sent leaves the box; what the agent wrote meanwhile stays (and goes next).
      setBody((now) => (now === body ? "" : now));
      setMedia((now) => (now === media ? [] : now));
      setInteractive((now) => (now === interactive ? null : now));
      await onSent();
    } catch (caught) {
      const refused = problem(caught);
      queued.current = false; // the agent reads why before sending again
      if (!outcomeUnknown(refused)) key.current = null;
      settled(me.id, conversation.id, body, false);
      setError(refused);
      // after the render that shows it: a builder's or an attachment's field the API named takes the focus
      if (refused.field?.startsWith("interactive.") || refused.field?.startsWith("media[")) {
        window.setTimeout(() => {
          const named = document.getElementById(fieldId(refused.field ?? ""));
          named?.focus();
          named?.scrollIntoView({ block: "center" }); // with the refusal under it in view
        });
      }
    } finally {
      setBusy(false);
      box.current?.focus();
    }
  };
  useEffect(() => {
    if (busy || !queued.current) return;
    queued.current = false;
    void send();
  }, [busy]);
  const keyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void send();
    }
  };
  const insertQuickReply = (quick: QuickReply) => {
    edit(fillPlaceholders(quick.text, {
      customer_name: conversation.customer_name || conversation.contact?.name || "",
      "contact.name": conversation.contact?.name || conversation.customer_name || "",
      agent_name: me.name,
    }));
    if (quick.interactive && conversation.channel === "whatsapp") editInteractive(draftOf(quick.interactive));
    setPicks((n) => n + 1);
  };
  return (
    <form class="reply" aria-label="Reply" onSubmit={(e) => { e.preventDefault(); void send(); }}>
      <label for="reply-body">Reply to {customerLabel(conversation)}</label>
      <textarea id="reply-body" ref={box} rows={3} value={body} onInput={(e) => edit(e.currentTarget.value)}
        onKeyDown={keyDown} aria-describedby={holes.length ? "reply-holes reply-count reply-help" : "reply-count reply-help"}
        aria-invalid={tooLong || holes.length > 0 || undefined} />
      <p class="composer-help">
        <span id="reply-count" class={tooLong ? "bad" : ""}>{count} / {MAX_BODY}</span>
        <span id="reply-help"> · Enter sends, Shift+Enter starts a new line</span>
      </p>
      {holes.length ? (
        <p id="reply-holes" class="notice error" role="alert">
          Fill in {andList(holes.map((h) => h.label))} before sending: type over
          {" "}{andList(holes.map((h) => h.placeholder))} in the reply.
        </p>
      ) : null}
      {workstream?.quick_replies.length ? <QuickReplies replies={workstream.quick_replies} pick={insertQuickReply} /> : null}
      {workstream?.attachments.agents_can_send && attachmentLimit(conversation) ? (
        <Attachments media={media} setMedia={editMedia} limit={attachmentLimit(conversation)} refused={error} />
      ) : null}
      {conversation.channel === "whatsapp" && interactive ? (
        <InteractiveBuilder draft={interactive} change={editInteractive} problems={error ? [error] : []} />
      ) : null}
      {conversation.channel === "whatsapp" && !interactive ? (
        <p class="interactive-choice">
          <button type="button" class="secondary" onClick={() => editInteractive(newButtons())}>Add buttons</button>{" "}
          <button type="button" class="secondary" onClick={() => editInteractive(newList())}>Add list</button>
        </p>
      ) : null}
      {error && !error.field?.startsWith("media[") ? (
        <p class="notice error" role="alert">
          Not sent: {error.message}{error.providerCode ? ` (provider code ${error.providerCode})` : ""}
          {outcomeUnknown(error) ? " Send again: it goes out once." : ""}
        </p>
      ) : null}
      {stillOwed(conversation, retrying) && !error ? (
        <p class="notice" role="status">Still sending: the provider has not taken the last message yet;
          Switchboard keeps at it and sends it once.</p>
      ) : null}
      {elsewhere ? <p class="notice" role="status">Sending this reply: wait for its answer.</p> : null}
      <button type="submit" disabled={busy || tooLong || elsewhere}>Send</button>
    </form>
  );
}

/** A refusal as the form shows it: attachments left blank are not sent, so the API's
 *  media[k] is the k-th with a URL, renamed to its row in the form. */
function namedInForm(refused: ApiError, media: Attachment[]): ApiError {
  const sentRows = media.flatMap((m, row) => (m.url.trim() ? [row] : []));
  const named = /^media\[(\d+)\]/.exec(refused.field ?? "");
  const row = named ? sentRows[Number(named[1])] : undefined;
  if (!named || row === undefined || row === Number(named[1])) return refused;
  const rename = (text: string) => text.replace(named[0], `media[${row}]`);
  return new ApiError(refused.status, refused.code, rename(refused.message), rename(refused.field ?? ""),
    refused.providerCode);
}

/** Whether the message the provider had not taken is still owed, as the conversation now
 *  shows it (pushed as the outbox sends it); owed while the conversation does not show it yet. */
function stillOwed(conversation: Conversation, messageId: string | null): boolean {
  if (messageId === null) return false;
  const shown = conversation.messages?.find((m) => m.id === messageId);
  return shown === undefined || owed(shown);
}

/** "a", "a and b", "a, b and c", each named once. */
function andList(words: string[]): string {
  const once = [...new Set(words)];
  return once.length < 2 ? once.join("") : `${once.slice(0, -1).join(", ")} and ${once[once.length - 1]}`;
}

function QuickReplies({ replies, pick }: { replies: QuickReply[]; pick: (q: QuickReply) => void }) {
  return (
    <details class="quick-replies">
      <summary>Quick replies</summary>
      <ul>
        {replies.map((q) => (
          <li key={q.name}><button type="button" class="secondary" onClick={() => pick(q)}>{q.name}</button></li>
        ))}
      </ul>
    </details>
  );
}

/** Attachments a message may carry, as the API takes them (conversations/messaging/policies.py). */
const MAX_ATTACHMENTS: Record<string, number> = { "acs whatsapp": 1, "twilio whatsapp": 1, "twilio sms": 10 };

export function attachmentLimit(c: Conversation): number {
  return MAX_ATTACHMENTS[`${c.provider} ${c.channel}`] ?? 0;
}

function Attachments({ media, setMedia, limit, refused }:
  { media: Attachment[]; setMedia: (m: Attachment[]) => void; limit: number; refused: ApiError | null }) {
  const change = (i: number, key: keyof Attachment, value: string) =>
    setMedia(media.map((m, j) => (j === i ? { ...m, [key]: value } : m)));
  return (
    <fieldset class="attachments">
      <legend>Attachments</legend>
      {media.map((m, i) => {
        const named = refused?.field?.startsWith(`media[${i}]`) ? refused : null;
        const problem = named ? named.message.replace(`${named.field}: `, "") : null;
        const described = problem ? `media-problem-${i}` : undefined;
        return (
          <div class="list-item" key={i}>
            <label for={fieldId(`media[${i}].url`)}>File URL {i + 1}</label>
            <input id={fieldId(`media[${i}].url`)} type="url" value={m.url} aria-describedby={described}
              onInput={(e) => change(i, "url", e.currentTarget.value)} />
            <label for={fieldId(`media[${i}].content_type`)}>Content type {i + 1} (such as image/jpeg)</label>
            <input id={fieldId(`media[${i}].content_type`)} value={m.content_type} aria-describedby={described}
              onInput={(e) => change(i, "content_type", e.currentTarget.value)} />
            {problem ? <p id={described} class="field-error" role="alert">Not sent: {problem}</p> : null}
            <button type="button" class="link-button" onClick={() => setMedia(media.filter((_, j) => j !== i))}>
              Remove attachment {i + 1}</button>
          </div>
        );
      })}
      {media.length < limit ? (
        <button type="button" class="secondary" onClick={() => setMedia([...media, { url: "", content_type: "" }])}>
          Add an attachment</button>
      ) : <p class="muted">{limit === 1 ? "One attachment per message here." : `At most ${limit} attachments.`}</p>}
    </fieldset>
  );
}
