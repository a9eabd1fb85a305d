// The closed-window fallbacks of the workstream form: for an automated message (or the bot's
// replies), the template sent in its place once the WhatsApp 24-hour window has closed.
// Only the workstream's own templates can be named, and of those, where the account has
// synced templates, the approved ones (what the API accepts).

import type { components } from "../api.gen";
import { FieldError, useField } from "../ui/form";
import type { Template } from "../types";
import { catalogueUrl, syncsTemplates } from "./AccountTemplates";
import { useLoaded } from "./loaded";
import type { Account } from "./records";

type Catalogue = components["schemas"]["TemplateCatalogue"];
type Fallback = components["schemas"]["WindowFallback"];
const key = (t: { name: string; language: string }) => `${t.name}|${t.language}`;

/** The templates a fallback may name: the workstream's, approved where the account syncs. */
export function useFallbackTemplates(account: Account | undefined, templates: Template[]): Template[] {
  const [catalogue] = useLoaded<Catalogue>(account && syncsTemplates(account) ? catalogueUrl(account.id) : null);
  const listed = catalogue?.templates ?? [];
  if (!listed.length) return templates.filter((t) => t.name && t.language);
  const approved = new Set(listed.filter((t) => t.status === "approved" && !t.gone).map(key));
  return templates.filter((t) => approved.has(key(t)));
}

/** The fallbacks as the API takes them: the empty lines after the last parameter (an Enter
 *  at the end of a box that reads "one per line") are no parameters. */
export function fallbacksBody(fallbacks: Record<string, Fallback>): Record<string, unknown> {
  const trimmed = (listed: readonly string[]) => {
    let end = listed.length;
    while (end > 0 && !listed[end - 1].trim()) end -= 1;
    return listed.slice(0, end);
  };
  return Object.fromEntries(Object.entries(fallbacks).map(([kind, f]) => [kind,
    f && Array.isArray(f.parameters) ? { ...f, parameters: trimmed(f.parameters) } : f]));
}

interface Props {
  kind: string;
  /** What the message is, as its section names it. */
  what: string;
  templates: Template[];
}

export function WindowFallback({ kind, what, templates }: Props) {
  const fallback = useField(`window_fallbacks.${kind}`);
  const name = useField(`window_fallbacks.${kind}.name`);
  const parameters = useField(`window_fallbacks.${kind}.parameters`);
  const value = fallback.value as Fallback | undefined;
  const pick = (picked: string) => {
    const template = templates.find((t) => key(t) === picked);
    fallback.set(template ? { name: template.name, language: template.language, parameters: value?.parameters ?? [] }
      : undefined);
  };
  const listed = Array.isArray(value?.parameters) ? value.parameters : Object.values(value?.parameters ?? {});
  return (
    <div class="window-fallback">
      <div class={`field${name.problem ? " invalid" : ""}`}>
        <label for={name.id}>{`${what}: when the 24-hour window has closed, send template`}</label>
        <p class="hint">{templates.length ? "else it is not sent (WhatsApp allows only templates then)"
          : "add an approved template to the workstream's templates to pick one"}</p>
        <select {...name.aria} value={value ? key(value) : ""} onChange={(e) => pick(e.currentTarget.value)}>
          <option value="">None: not sent</option>
          {templates.map((t) => <option key={key(t)} value={key(t)}>{`${t.name} (${t.language})`}</option>)}
        </select>
        <FieldError id={name.id} problem={name.problem} />
      </div>
      {value ? (
        <div class={`field${parameters.problem ? " invalid" : ""}`}>
          <label for={parameters.id}>{`${what}: template parameters, one per line`}</label>
          <p class="hint">{"{{customer_name}} and {{link}} (the survey's URL) are filled in when sent"}</p>
          <textarea {...parameters.aria} rows={2} value={listed.join("\n")}
            onInput={(e) => parameters.set(e.currentTarget.value ? e.currentTarget.value.split("\n") : [])} />
          <FieldError id={parameters.id} problem={parameters.problem} />
        </div>
      ) : null}
    </div>
  );
}
