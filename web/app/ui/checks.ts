// What the browser can tell about a form's fields before sending it, all at once: each
// control bound to an API path (data-path) is checked by what it declares (required, a
// phone number, a number's range, a URL, a pattern, a length: data-limit); and the one place an API path
// ("numbers[1].number") becomes the name people read beside the control ("Number 2").

import { characters } from "../format";
import { fieldId, parsePath } from "./paths";

export interface Problem {
  /** The API's path of the field ("" when the refusal names none). */
  field: string;
  message: string;
}

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

// Digits with what people write between them, "+" or "00" before a country code; the
// API reads the number itself (conversations/admin/numbers.py), with the app's country.
const PHONE = /^\+?[0-9]{3,17}$/;
export const PHONE_HINT = "a phone number, e.g. +1 425 230 6549, or a national one such as (425) 230-6549";

/** Every problem of the form's controls, in the order they appear. */
export function checkControls(form: HTMLFormElement): { problems: Problem[]; first: Control | null } {
  const controls = Array.from(form.querySelectorAll<Control>("[data-path]")).filter((c) => !c.disabled);
  const problems: Problem[] = [];
  let first: Control | null = null;
  for (const control of controls) {
    const message = wrong(control);
    if (!message) continue;
    problems.push({ field: control.dataset.path!, message });
    first ??= control;
  }
  return { problems, first };
}

function wrong(control: Control): string | null {
  const value = control.value.trim();
  if (control.validity.badInput) return "must be a number";
  if (!value) return control.required ? "is required" : null;
  const limit = Number(control.dataset.limit);
  if (limit && characters(value) > limit) return `must be at most ${limit} characters, got ${characters(value)}`;
  if (control.type === "tel") return PHONE.test(value.replace(/[\s().\-/]/g, "")) ? null : `must be ${PHONE_HINT}`;
  const { validity } = control;
  if (control instanceof HTMLInputElement && (validity.rangeUnderflow || validity.rangeOverflow || validity.stepMismatch)) {
    const { min, max } = control;
    return min && max ? `must be a whole number from ${min} to ${max}`
      : min ? `must be a whole number of ${min} or more` : max ? `must be a whole number of ${max} or less` : "must be a whole number";
  }
  if (validity.typeMismatch && control.type === "url") return "must be a web address, e.g. https://example.com/survey";
  if (validity.patternMismatch) return control.dataset.patternHint ?? "is not in the expected form";
  return null;
}

/** The name people read for a field: its control's label (a list's legend), or, for a
 *  path with no control of its own, the nearest enclosing one's and the item's number. */
export function labelOf(path: string): string {
  const parts = parsePath(path);
  for (let n = parts.length; n > 0; n -= 1) {
    const label = controlLabel(pathOf(parts.slice(0, n)));
    if (!label) continue;
    const item = parts[n];
    return typeof item === "number" ? `${label}, item ${item + 1}` : label;
  }
  return parts.map((p) => (typeof p === "number" ? String(p + 1) : p.replace(/_/g, " "))).join(" ");
}

/** The control of a field, or of the nearest enclosing one (a list's) when it has none. */
export function controlFor(path: string): HTMLElement | null {
  const parts = parsePath(path);
  for (let n = parts.length; n > 0; n -= 1) {
    const control = document.getElementById(fieldId(pathOf(parts.slice(0, n))));
    if (control) return control;
  }
  return null;
}

function controlLabel(path: string): string | null {
  const control = document.getElementById(fieldId(path));
  if (!control) return null;
  const text = control instanceof HTMLFieldSetElement ? control.querySelector("legend")?.textContent
    : document.querySelector(`label[for="${control.id}"]`)?.textContent ?? control.getAttribute("aria-label");
  return text?.trim() || null;
}

function pathOf(parts: (string | number)[]): string {
  return parts.map((p, i) => (typeof p === "number" ? `[${p}]` : i ? `.${p}` : p)).join("");
}

/** A refusal's message without the API path it starts with ("numbers[0].number: ..."),
 *  since it is shown beside, or after the label of, the field it names. */
export function withoutPath(message: string, field: string): string {
  return field && message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
}
