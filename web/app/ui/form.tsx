// Forms bound to a draft of an API record: each control names the field it edits by the
// API's own path ("survey.text"). On submit the browser checks every field at once
// (ui/checks.ts) and sends nothing while one is wrong; the API's 422 `field` lands next to
// its control too. The summary at the top names each field as its label reads and links
// to it, and the first wrong field takes focus.

import type { ComponentChildren } from "preact";
import { createContext } from "preact";
import { useContext, useRef, useState } from "preact/hooks";
import { problem } from "../api";
import { type Problem, checkControls, controlFor, labelOf, withoutPath } from "./checks";
import { belongsTo, fieldId, getPath, setPath } from "./paths";
import { clearSaved } from "./saved";

export interface Form<T> {
  value: T;
  set: (path: string, next: unknown) => void;
  replace: (next: T) => void;
  /** What is wrong, every field at once: the browser's checks, or the API's refusal. */
  problems: Problem[];
  setProblems: (problems: Problem[]) => void;
  busy: boolean;
  /** Runs `action` with the form busy; an API refusal becomes the form's problem, and is
   *  returned. */
  submit: (action: () => Promise<void>) => Promise<Problem[]>;
}

export function useForm<T>(initial: T): Form<T> {
  const [value, replace] = useState(initial);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);
  return {
    value, replace, problems, setProblems, busy,
    set: (path, next) => replace((current) => setPath(current, path, next)),
    submit: async (action) => {
      setBusy(true);
      setProblems([]);
      let refused: Problem[] = [];
      try {
        await action();
      } catch (caught) {
        const error = problem(caught);
        const field = error.field ?? "";
        const code = error.providerCode ? ` (provider code ${error.providerCode})` : "";
        refused = [{ field, message: withoutPath(error.message, field) + code }];
        setProblems(refused);
      } finally {
        setBusy(false);
      }
      return refused;
    },
  };
}

const FormContext = createContext<Form<unknown> | null>(null);

function useFormContext(): Form<unknown> {
  const form = useContext(FormContext);
  if (!form) throw new Error("a field outside a BoundForm");
  return form;
}

interface BoundFormProps<T> {
  form: Form<T>;
  onSubmit: () => Promise<void>;
  label: string;
  children: ComponentChildren;
}

export function BoundForm<T>({ form, onSubmit, label, children }: BoundFormProps<T>) {
  const submitted = async (event: Event) => {
    event.preventDefault();
    clearSaved();
    const { problems, first } = checkControls(event.currentTarget as HTMLFormElement);
    form.setProblems(problems);
    if (first) {
      first.focus();
      return;
    }
    const refused = await form.submit(onSubmit);
    // after the render that shows it: the field the API named, else the summary
    if (refused.length) window.setTimeout(() => (controlFor(refused[0].field) ?? summaryOf(label))?.focus());
  };
  return (
    <FormContext.Provider value={form as Form<unknown>}>
      <form class="form" aria-label={label} onSubmit={submitted} noValidate>
        <ErrorSummary problems={form.problems} id={summaryId(label)} />
        {children}
      </form>
    </FormContext.Provider>
  );
}

const summaryId = (label: string) => `summary-${label.replace(/[^A-Za-z0-9_-]+/g, "-")}`;
const summaryOf = (label: string) => document.getElementById(summaryId(label));

/** Every problem, each named by its field's label and linked to its control. */
export function ErrorSummary({ problems, id }: { problems: Problem[]; id: string }) {
  if (!problems.length) return null;
  return (
    <div class="error-summary" role="alert" id={id} tabIndex={-1}>
      <p>{problems.length === 1 ? "Not saved: one thing to fix." : `Not saved: ${problems.length} things to fix.`}</p>
      <ul>
        {problems.map((p) => {
          const target = p.field ? controlFor(p.field) : null;
          const text = p.field ? `${labelOf(p.field)}: ${p.message}` : p.message;
          return (
            <li key={`${p.field} ${p.message}`}>
              {target ? <a href={`#${target.id}`} onClick={(e) => focusField(e, target)}>{text}</a> : text}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function focusField(event: Event, control: HTMLElement): void {
  event.preventDefault();
  control.focus();
}

export function useField(path: string) {
  const form = useFormContext();
  const problem = form.problems.find((p) => belongsTo(p.field, path)) ?? null;
  const id = fieldId(path);
  return {
    id, value: getPath(form.value, path), problem,
    set: (next: unknown) => form.set(path, next),
    aria: { id, "data-path": path, "aria-invalid": problem ? true : undefined,
      "aria-describedby": problem ? `${id}-error` : undefined },
  };
}

/** Every problem inside a field, for a control made of several (reply buttons, a list). */
export function useProblems(path: string): Problem[] {
  return useFormContext().problems.filter((p) => belongsTo(p.field, path));
}

/** What is wrong with a field, beside it (its label says which field). */
export function FieldError({ id, problem }: { id: string; problem: Problem | null }) {
  if (!problem) return null;
  return <p class="field-error" id={`${id}-error`}>{problem.message}</p>;
}

interface FieldProps {
  path: string;
  label: string;
  hint?: string;
}

export type TextType = "text" | "password" | "tel" | "url" | "date" | "email";

interface InputProps extends FieldProps {
  type?: TextType;
  required?: boolean;
  autoComplete?: string;
  min?: number;
  max?: number;
  /** A regular expression the whole value must match, and what to say when it does not. */
  pattern?: string;
  patternHint?: string;
}

export function TextField({ path, label, hint, type = "text", required, autoComplete, pattern, patternHint }: InputProps) {
  const field = useField(path);
  return (
    <div class={`field${field.problem ? " invalid" : ""}`}>
      <label for={field.id}>{label}</label>
      {hint ? <p class="hint">{hint}</p> : null}
      {/* Preact types each input type apart; any of TextType takes these attributes. */}
      <input type={type as "text"} required={required} autoComplete={autoComplete} pattern={pattern}
        data-pattern-hint={patternHint} {...field.aria}
        value={(field.value as string | undefined) ?? ""}
        onInput={(e) => field.set(e.currentTarget.value)} />
      <FieldError id={field.id} problem={field.problem} />
    </div>
  );
}

/** A colour as "#rrggbb", picked with the browser's own colour control. */
export function ColourField({ path, label, hint }: FieldProps) {
  const field = useField(path);
  return (
    <div class={`field${field.problem ? " invalid" : ""}`}>
      <label for={field.id}>{label}</label>
      {hint ? <p class="hint">{hint}</p> : null}
      <input type="color" {...field.aria} value={field.value as string} onInput={(e) => field.set(e.currentTarget.value)} />
      <FieldError id={field.id} problem={field.problem} />
    </div>
  );
}

export function NumberField({ path, label, hint, min, max }: InputProps) {
  const field = useField(path);
  const changed = (raw: string) => field.set(raw === "" ? null : Number(raw));
  return (
    <div class={`field${field.problem ? " invalid" : ""}`}>
      <label for={field.id}>{label}</label>
      {hint ? <p class="hint">{hint}</p> : null}
      <input type="number" inputMode="numeric" min={min} max={max} {...field.aria}
        value={field.value == null ? "" : String(field.value)} onInput={(e) => changed(e.currentTarget.value)} />
      <FieldError id={field.id} problem={field.problem} />
    </div>
  );
}

export function TextArea({ path, label, hint, rows = 3 }: FieldProps & { rows?: number }) {
  const field = useField(path);
  return (
    <div class={`field${field.problem ? " invalid" : ""}`}>
      <label for={field.id}>{label}</label>
      {hint ? <p class="hint">{hint}</p> : null}
      <textarea {...field.aria} rows={rows} value={(field.value as string | undefined) ?? ""}
        onInput={(e) => field.set(e.currentTarget.value)} />
      <FieldError id={field.id} problem={field.problem} />
    </div>
  );
}

export function Checkbox({ path, label, hint }: FieldProps) {
  const field = useField(path);
  return (
    <div class={`field check${field.problem ? " invalid" : ""}`}>
      <input type="checkbox" {...field.aria} checked={Boolean(field.value)}
        onChange={(e) => field.set(e.currentTarget.checked)} />
      <label for={field.id}>{label}</label>
      {hint ? <p class="hint">{hint}</p> : null}
      <FieldError id={field.id} problem={field.problem} />
    </div>
  );
}

export interface Option {
  value: string;
  label: string;
}

interface SelectProps extends FieldProps {
  options: Option[];
  disabled?: boolean;
  required?: boolean;
  /** The id of a note about the choice (a warning) shown next to the control. */
  describedBy?: string;
  /** After a pick: what depends on it follows (a queue's name, on its workstream). */
  onPicked?: (value: string | null) => void;
}

export function Select({ path, label, hint, options, disabled, required, describedBy, onPicked }: SelectProps) {
  const field = useField(path);
  const described = [field.aria["aria-describedby"], describedBy].filter(Boolean).join(" ") || undefined;
  return (
    <div class={`field${field.problem ? " invalid" : ""}`}>
      <label for={field.id}>{label}</label>
      {hint ? <p class="hint">{hint}</p> : null}
      <select {...field.aria} aria-describedby={described} disabled={disabled} required={required} value={(field.value as string | null) ?? ""}
        onChange={(e) => {
          const picked = e.currentTarget.value || null;
          field.set(picked);
          onPicked?.(picked);
        }}>
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
      <FieldError id={field.id} problem={field.problem} />
    </div>
  );
}

/** The last value other than null ``value`` had while the form was open: what a section
 *  unticked and ticked again comes back as, not its defaults. */
export function useLastSet<T>(value: T | null): T | null {
  const last = useRef(value);
  if (value !== null) last.current = value;
  return last.current;
}
