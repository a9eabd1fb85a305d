// Reply buttons and lists (WhatsApp only), built in the composer and on the admin settings
// that offer them (quick replies, automated messages): people write each button's or row's
// text, Switchboard numbers their ids (ones already given keep theirs). Each text shows its
// count against WhatsApp's limit, and a refusal (the API's 422, or in a bound form the
// browser's checks, ui/checks.ts) shows beside the field it names. A survey's options answer
// by their ids, so there each has a Score picked beside it (1 to 5) that is its id.

import type { Interactive } from "../types";
import { withoutPath } from "./checks";
import { fieldId } from "./paths";

export const LIMITS = { buttons: 3, buttonTitle: 20, rows: 10, sections: 10, rowTitle: 24, description: 72,
  listButton: 20, sectionTitle: 24 };

interface Row { id?: string; title: string; description: string }
interface SectionDraft { title: string; rows: Row[] }
export type InteractiveDraft = { kind: "buttons"; buttons: { id?: string; title: string }[] }
  | { kind: "list"; button: string; sections: SectionDraft[] }
  | { kind: "content"; content_sid: string };

const newRow = (): Row => ({ title: "", description: "" });
export const newButtons = (): InteractiveDraft => ({ kind: "buttons", buttons: [{ title: "" }, { title: "" }] });
export const newList = (): InteractiveDraft => ({ kind: "list", button: "", sections: [{ title: "", rows: [newRow()] }] });

/** What the API takes: new ids numbered by position, past any an option already has (the
 *  API refuses one given twice), a row's description only when written. */
export function interactivePayload(draft: InteractiveDraft): Interactive {
  if (draft.kind === "content") return { content_sid: draft.content_sid };
  if (draft.kind === "buttons") {
    const ids = freeIds(draft.buttons, (i) => `button-${i + 1}`);
    return { buttons: draft.buttons.map((b, i) => ({ id: ids[i], title: b.title })) };
  }
  const rows = draft.sections.flatMap((s, i) => s.rows.map((r, j) => ({ ...r, at: `${i + 1}-${j + 1}` })));
  const ids = freeIds(rows, (n) => `row-${rows[n].at}`);
  let n = 0;
  return {
    button: draft.button,
    sections: draft.sections.map((s) => ({
      title: s.title,
      rows: s.rows.map((r) => ({ id: ids[n++], title: r.title,
        ...(r.description.trim() ? { description: r.description } : {}) })),
    })),
  };
}

/** Each option's id: its own, else the one its position names, suffixed while taken. */
function freeIds(options: { id?: string }[], named: (index: number) => string): string[] {
  const taken = new Set(options.flatMap((o) => (o.id ? [o.id] : [])));
  return options.map((o, i) => {
    if (o.id) return o.id;
    let id = named(i);
    for (let k = 2; taken.has(id); k += 1) id = `${named(i)}-${k}`;
    taken.add(id);
    return id;
  });
}

export const SCORES = ["1", "2", "3", "4", "5"];

/** A survey's draft with a score on each option: its own when it is one, else the lowest
 *  not taken (a new option, or one given another id through the API). */
export function scoredDraft(draft: InteractiveDraft): InteractiveDraft {
  if (draft.kind === "content") return draft;
  const options = draft.kind === "buttons" ? draft.buttons : draft.sections.flatMap((s) => s.rows);
  const taken = new Set(options.flatMap((o) => (o.id && SCORES.includes(o.id) ? [o.id] : [])));
  const scored = <T extends { id?: string }>(o: T): T => {
    if (o.id && SCORES.includes(o.id)) return o;
    const id = SCORES.find((n) => !taken.has(n)) ?? SCORES[SCORES.length - 1];
    taken.add(id);
    return { ...o, id };
  };
  return draft.kind === "buttons" ? { ...draft, buttons: draft.buttons.map(scored) }
    : { ...draft, sections: draft.sections.map((s) => ({ ...s, rows: s.rows.map(scored) })) };
}

/** A quick reply's buttons or list, to edit before sending. */
export function draftOf(offered: Interactive): InteractiveDraft {
  if (offered.content_sid) return { kind: "content", content_sid: offered.content_sid };
  if (offered.buttons?.length) return { kind: "buttons", buttons: offered.buttons.map((b) => ({ id: b.id, title: b.title })) };
  return {
    kind: "list", button: offered.button ?? "",
    sections: (offered.sections ?? []).map((s) => ({ title: s.title,
      rows: s.rows.map((r) => ({ id: r.id, title: r.title, description: r.description ?? "" })) })),
  };
}

/** A refusal or a problem the browser found, naming its field by the API's path. */
interface Named { field?: string; message: string }

interface Props {
  draft: InteractiveDraft;
  change: (next: InteractiveDraft | null) => void;
  problems: readonly Named[];
  /** The API's path of the draft: a reply's "interactive", a setting's "quick_replies[0].interactive". */
  at?: string;
  /** Whose buttons they are, at the start of each label, on a page of several ("Quick reply 1"). */
  owner?: string;
  /** In a bound form (ui/form.tsx): the browser checks each text before saving. */
  checked?: boolean;
  /** A survey's: each option's Score (1 to 5) is picked beside it, and is its id. */
  scores?: boolean;
}

type Part = Required<Pick<Props, "at" | "problems">> & Pick<Props, "owner" | "checked" | "scores">;

/** A label as read on its own ("Button 1 title"), or after its owner ("Quick reply 1 button 1 title"). */
const named = (owner: string | undefined, label: string) => (owner ? `${owner} ${label[0].toLowerCase()}${label.slice(1)}` : label);

export function InteractiveBuilder({ draft, change, problems, at = "interactive", owner, checked, scores }: Props) {
  if (draft.kind === "content") {
    return (
      <p class="notice">Sends Twilio content {draft.content_sid} with the text above.{" "}
        <button type="button" class="link-button" onClick={() => change(null)}>Discard it</button></p>
    );
  }
  const part: Part = { at, problems, owner, checked, scores };
  return draft.kind === "buttons"
    ? <ButtonsBuilder draft={draft} change={change} part={part} />
    : <ListBuilder draft={draft} change={change} part={part} />;
}

interface BuilderProps<K> {
  draft: Extract<InteractiveDraft, { kind: K }>;
  change: (next: InteractiveDraft | null) => void;
  part: Part;
}

function ButtonsBuilder({ draft, change, part }: BuilderProps<"buttons">) {
  const buttons = draft.buttons;
  const set = (next: { id?: string; title: string }[]) => change({ kind: "buttons", buttons: next });
  return (
    <fieldset class="interactive-builder" id={fieldId(part.at)} tabIndex={-1}>
      <legend>{named(part.owner, `Reply buttons (${buttons.length} of ${LIMITS.buttons})`)}</legend>
      <GroupError path="buttons" part={part} />
      {buttons.map((b, i) => (
        <div class="list-item" key={i}>
          <Limited path={`buttons[${i}].title`} label={`Button ${i + 1} title`} value={b.title} limit={LIMITS.buttonTitle}
            set={(title) => set(buttons.map((x, j) => (j === i ? { ...x, title } : x)))} part={part} required />
          <Score path={`buttons[${i}].id`} label={`Button ${i + 1} score`} value={b.id} part={part}
            set={(id) => set(buttons.map((x, j) => (j === i ? { ...x, id } : x)))} />
          {buttons.length > 1 ? (
            <button type="button" class="link-button" onClick={() => set(buttons.filter((_, j) => j !== i))}>
              Remove button {i + 1}</button>
          ) : null}
        </div>
      ))}
      <button type="button" class="secondary" disabled={buttons.length >= LIMITS.buttons}
        onClick={() => set([...buttons, { title: "" }])}>Add a button</button>
      <button type="button" class="link-button" onClick={() => change(null)}>Discard the buttons</button>
    </fieldset>
  );
}

function ListBuilder({ draft, change, part }: BuilderProps<"list">) {
  const rows = draft.sections.reduce((n, s) => n + s.rows.length, 0);
  const full = rows >= LIMITS.rows;
  const setSections = (sections: SectionDraft[]) => change({ ...draft, sections });
  const setSection = (i: number, next: SectionDraft) => setSections(draft.sections.map((s, j) => (j === i ? next : s)));
  return (
    <fieldset class="interactive-builder" id={fieldId(part.at)} tabIndex={-1}>
      <legend>{named(part.owner, `List (${rows} of ${LIMITS.rows} rows)`)}</legend>
      <GroupError path="sections" part={part} />
      <Limited path="button" label="List button text" value={draft.button} limit={LIMITS.listButton}
        set={(button) => change({ ...draft, button })} part={part} required />
      {draft.sections.map((s, i) => (
        <fieldset class="list-item" key={i}>
          <legend>{named(part.owner, `Section ${i + 1}`)}</legend>
          <GroupError path={`sections[${i}].rows`} part={part} />
          <Limited path={`sections[${i}].title`} label={`Section ${i + 1} title`} value={s.title}
            limit={LIMITS.sectionTitle} set={(title) => setSection(i, { ...s, title })} part={part} required />
          {s.rows.map((r, j) => {
            const setRow = (next: Row) => setSection(i, { ...s, rows: s.rows.map((x, k) => (k === j ? next : x)) });
            const name = `Section ${i + 1} row ${j + 1}`;
            return (
              <div class="list-item" key={j}>
                <Limited path={`sections[${i}].rows[${j}].title`} label={`${name} title`} value={r.title}
                  limit={LIMITS.rowTitle} set={(title) => setRow({ ...r, title })} part={part} required />
                <Limited path={`sections[${i}].rows[${j}].description`} label={`${name} description (optional)`}
                  value={r.description} limit={LIMITS.description} set={(description) => setRow({ ...r, description })}
                  part={part} />
                <Score path={`sections[${i}].rows[${j}].id`} label={`${name} score`} value={r.id} part={part}
                  set={(id) => setRow({ ...r, id })} />
                {s.rows.length > 1 ? (
                  <button type="button" class="link-button"
                    onClick={() => setSection(i, { ...s, rows: s.rows.filter((_, k) => k !== j) })}>
                    Remove {name.toLowerCase()}</button>
                ) : null}
              </div>
            );
          })}
          <button type="button" class="secondary" disabled={full}
            onClick={() => setSection(i, { ...s, rows: [...s.rows, newRow()] })}>Add a row to section {i + 1}</button>
          {draft.sections.length > 1 ? (
            <button type="button" class="link-button" onClick={() => setSections(draft.sections.filter((_, k) => k !== i))}>
              Remove section {i + 1}</button>
          ) : null}
        </fieldset>
      ))}
      <button type="button" class="secondary" disabled={full || draft.sections.length >= LIMITS.sections}
        onClick={() => setSections([...draft.sections, { title: "", rows: [newRow()] }])}>Add a section</button>
      <button type="button" class="link-button" onClick={() => change(null)}>Discard the list</button>
    </fieldset>
  );
}

interface LimitedProps {
  path: string;
  label: string;
  value: string;
  limit: number;
  set: (next: string) => void;
  part: Part;
  required?: boolean;
}

/** A text with its count against the limit, and the refusal of it (or of its id) beside it;
 *  in a bound form the browser checks it too (data-path, data-limit). */
function Limited({ path, label, value, limit, set, part, required }: LimitedProps) {
  const field = `${part.at}.${path}`;
  const id = fieldId(field);
  const over = value.length > limit;
  const problem = part.problems.find((p) => p.field === field || p.field === `${field}.id`);
  return (
    <div class={`field${problem ? " invalid" : ""}`}>
      <label for={id}>{named(part.owner, label)}</label>
      <input id={id} value={value} onInput={(e) => set(e.currentTarget.value)} aria-invalid={over || !!problem || undefined}
        aria-describedby={problem ? `${id}-count ${id}-error` : `${id}-count`}
        {...(part.checked ? { "data-path": field, "data-limit": limit, required } : {})} />
      <span id={`${id}-count`} class={`count${over ? " bad" : ""}`}>{value.length} / {limit}</span>
      {problem ? <p class="field-error" id={`${id}-error`}>{withoutPath(problem.message, problem.field ?? "")}</p> : null}
    </div>
  );
}

/** A survey option's score, which is its id: the customer who picks it answers with it. */
function Score({ path, label, value, set, part }:
  { path: string; label: string; value?: string; set: (id: string) => void; part: Part }) {
  if (!part.scores) return null;
  const id = fieldId(`${part.at}.${path}`);
  return (
    <div class="field">
      <label for={id}>{named(part.owner, label)}</label>
      <select id={id} value={value} onChange={(e) => set(e.currentTarget.value)}>
        {SCORES.map((n) => <option key={n} value={n}>{n}</option>)}
      </select>
    </div>
  );
}

/** A refusal of the group itself or of one item too many ("interactive.buttons[3]"). */
function GroupError({ path, part }: { path: string; part: Part }) {
  const field = `${part.at}.${path}`;
  const item = new RegExp(`^${field.replace(/[.[\]]/g, "\\$&")}\\[\\d+\\]$`);
  const problem = part.problems.find((p) => p.field === field || item.test(p.field ?? ""));
  return problem ? <p class="field-error">{withoutPath(problem.message, problem.field ?? "")}</p> : null;
}
