// Forms bound to a draft of an API record: each control names the field it edits by the
// API's own path ("survey.text"), so the API's 422 `field` lands next to that control,
// and the error summary at the top links to it.

import type { ComponentChildren } from "preact";
import { createContext } from "preact";
import { useContext, useState } from "preact/hooks";
import { ApiError, problem } from "../api";
import { belongsTo, fieldId, getPath, setPath } from "./paths";

export interface Form<T> {
  value: T;
  set: (path: string, next: unknown) => void;
  replace: (next: T) => void;
  error: ApiError | null;
  setError: (error: ApiError | null) => void;
  busy: boolean;
  /** Runs `action` with the form busy; an API refusal becomes the form's error. */
  submit: (action: () => Promise<void>) => Promise<void>;
}

export function useForm<T>(initial: T): Form<T> {
  const [value, replace] = useState(initial);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  return {
    value, replace, error, setError, busy,
    set: (path, next) => replace((current) => setPath(current, path, next)),
    submit: async (action) => {
      setBusy(true);
      setError(null);
      try {
        await action();
      } catch (caught) {
        setError(problem(caught));
      } finally {
        setBusy(false);
      }
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
  const submitted = (event: Event) => {
    event.preventDefault();
    void form.submit(onSubmit);
  };
  return (
    <FormContext.Provider value={form as Form<unknown>}>
      <form class="form" aria-label={label} onSubmit={submitted} noValidate>
        <ErrorSummary error={form.error} />
        {children}
      </form>
    </FormContext.Provider>
  );
}

export function ErrorSummary({ error }: { error: ApiError | null }) {
  if (!error) return null;
  const target = error.field && document.getElementById(fieldId(error.field)) ? fieldId(error.field) : null;
  return (
    <div class="error-summary" role="alert">
      <p>
        {error.message}
        {error.providerCode ? ` (provider code ${error.providerCode})` : ""}
      </p>
      {target ? <a href={`#${target}`} onClick={(e) => focusField(e, target)}>Go to the field</a> : null}
    </div>
  );
}

function focusField(event: Event, id: string): void {
  event.preventDefault();
  document.getElementById(id)?.focus();
}

export function useField(path: string) {
  const form = useFormContext();
  const error = form.error && belongsTo(form.error.field, path) ? form.error : null;
  const id = fieldId(path);
  return {
    id, value: getPath(form.value, path), error,
    set: (next: unknown) => form.set(path, next),
    aria: { id, "aria-invalid": error ? true : undefined, "aria-describedby": error ? `${id}-error` : undefined },
  };
}

/** The API's message without the field name it starts with ("survey.text: must ..."),
 *  since it stands next to that field. */
export function FieldError({ id, error }: { id: string; error: ApiError | null }) {
  if (!error) return null;
  const prefix = `${error.field}: `;
  const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return <p class="field-error" id={`${id}-error`}>{message}</p>;
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
}

export function TextField({ path, label, hint, type = "text", required, autoComplete }: InputProps) {
  const field = useField(path);
  return (
    <div class={`field${field.error ? " invalid" : ""}`}>
      <label for={field.id}>{label}</label>
      {hint ? <p class="hint">{hint}</p> : null}
      {/* Preact types each input type apart; any of TextType takes these attributes. */}
      <input type={type as "text"} required={required} autoComplete={autoComplete} {...field.aria}
        value={(field.value as string | undefined) ?? ""}
        onInput={(e) => field.set(e.currentTarget.value)} />
      <FieldError id={field.id} error={field.error} />
    </div>
  );
}

/** A colour as "#rrggbb", picked with the browser's own colour control. */
export function ColourField({ path, label, hint }: FieldProps) {
  const field = useField(path);
  return (
    <div class={`field${field.error ? " invalid" : ""}`}>
      <label for={field.id}>{label}</label>
      {hint ? <p class="hint">{hint}</p> : null}
      <input type="color" {...field.aria} value={field.value as string} onInput={(e) => field.set(e.currentTarget.value)} />
      <FieldError id={field.id} error={field.error} />
    </div>
  );
}

export function NumberField({ path, label, hint, min, max }: InputProps) {
  const field = useField(path);
  const changed = (raw: string) => field.set(raw === "" ? null : Number(raw));
  return (
    <div class={`field${field.error ? " invalid" : ""}`}>
      <label for={field.id}>{label}</label>
      {hint ? <p class="hint">{hint}</p> : null}
      <input type="number" inputMode="numeric" min={min} max={max} {...field.aria}
        value={field.value == null ? "" : String(field.value)} onInput={(e) => changed(e.currentTarget.value)} />
      <FieldError id={field.id} error={field.error} />
    </div>
  );
}

export function TextArea({ path, label, hint, rows = 3 }: FieldProps & { rows?: number }) {
  const field = useField(path);
  return (
    <div class={`field${field.error ? " invalid" : ""}`}>
      <label for={field.id}>{label}</label>
      {hint ? <p class="hint">{hint}</p> : null}
      <textarea {...field.aria} rows={rows} value={(field.value as string | undefined) ?? ""}
        onInput={(e) => field.set(e.currentTarget.value)} />
      <FieldError id={field.id} error={field.error} />
    </div>
  );
}

export function Checkbox({ path, label, hint }: FieldProps) {
  const field = useField(path);
  return (
    <div class={`field check${field.error ? " invalid" : ""}`}>
      <input type="checkbox" {...field.aria} checked={Boolean(field.value)}
        onChange={(e) => field.set(e.currentTarget.checked)} />
      <label for={field.id}>{label}</label>
      {hint ? <p class="hint">{hint}</p> : null}
      <FieldError id={field.id} error={field.error} />
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
  /** The id of a note about the choice (a warning) shown next to the control. */
  describedBy?: string;
}

export function Select({ path, label, hint, options, disabled, describedBy }: SelectProps) {
  const field = useField(path);
  const described = [field.aria["aria-describedby"], describedBy].filter(Boolean).join(" ") || undefined;
  return (
    <div class={`field${field.error ? " invalid" : ""}`}>
      <label for={field.id}>{label}</label>
      {hint ? <p class="hint">{hint}</p> : null}
      <select {...field.aria} aria-describedby={described} disabled={disabled} value={(field.value as string | null) ?? ""}
        onChange={(e) => field.set(e.currentTarget.value || null)}>
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
      <FieldError id={field.id} error={field.error} />
    </div>
  );
}
