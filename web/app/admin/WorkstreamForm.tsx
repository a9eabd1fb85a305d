// Every setting of a workstream in one form, each control named by the API's field path,
// so a refused setting's message appears beside it.

import { Fragment } from "preact";
import { api } from "../api";
import { BoundForm, Checkbox, NumberField, Select, TextArea, TextField, useForm } from "../ui/form";
import { InteractiveSetting, WHATSAPP_ONLY } from "./InteractiveSetting";
import { Overflow, Waiting, overflowBody } from "./Overflow";
import { changedFields, type Account, type Workstream } from "./records";
import { NO_SERVICE_LEVELS, ServiceLevels } from "./ServiceLevels";
import { WindowFallback, fallbacksBody, useFallbackTemplates } from "./WindowFallbacks";
import { Hours, QuickReplies, Queues, Routing, Survey, Templates, WrapUp } from "./WorkstreamSections";

const AUTOMATED = [["greeting", "Greeting", "sent after the first message of a new conversation"],
  ["out_of_hours", "Out of hours", "sent when a customer writes while closed, once per closed period"],
  ["closing", "Closing", "sent when a conversation closes"]];

export function newWorkstream(accounts: Account[]): Workstream {
  return {
    id: "", name: "", channel: accounts[0].channel, account_id: accounts[0].id, number: "",
    auto_close_after_minutes: null, language: "en-US", operating_hours: null, allow_automated_messages: false,
    automated_messages: {}, attachments: { customers_can_send: false, agents_can_send: false },
    survey: { enabled: false, text: "", url: "", mode: "link", window_minutes: 1440, thanks: "Thank you for your answer." },
    queues: [], default_queue: null, routing_rules: [],
    templates: [], quick_replies: [],
    distribution: { mode: "push", assignment: "highest_capacity", keep_same_agent: false, offer_timeout_seconds: 60,
      widen_skills_after_seconds: null },
    service_levels: NO_SERVICE_LEVELS, overflow: [], waiting_message: null, wrap_up: { dispositions: [], required: false },
    window_fallbacks: {},
  };
}

/** The body the API takes: the settings as edited, automated messages with neither text nor
 *  buttons left out, each overflow rule with only the fields its condition and action use. */
function bodyOf(w: Workstream): Record<string, unknown> {
  // Its bot and retention have pages of their own (or the API): sent from here, a stale copy
  // would undo a change made there since this page read the workstream.
  const { id: _id, channel: _channel, created_at: _created, updated_at: _updated, bot: _bot,
    retention_days: _retention, auto_close_after_minutes: minutes, ...settings } = w;
  const automated = Object.fromEntries(Object.entries(w.automated_messages).filter(([, m]) => m.text?.trim() || m.interactive));
  const rules = w.routing_rules.map((r) => ({
    ...r, conditions: r.conditions.map((c) => (c.operator === "exists" ? { field: c.field, operator: c.operator } : c)),
  }));
  const templates = w.templates.map(({ content_sid: sid, ...t }) => (sid ? { ...t, content_sid: sid } : t));
  return { ...settings, auto_close_after_minutes: minutes ?? null, // emptied: the app's default again
    automated_messages: automated, routing_rules: rules, templates, default_queue: w.default_queue || null,
    window_fallbacks: fallbacksBody(w.window_fallbacks),
    survey: surveyBody(w.survey),
    overflow: w.overflow.map(overflowBody) };
}

/** Buttons go with the question only: a link survey has none (the API refuses them). */
function surveyBody({ interactive, ...survey }: Workstream["survey"]): Workstream["survey"] {
  return survey.mode === "question" && interactive ? { ...survey, interactive } : survey;
}

function addresses(account: Account | undefined): { value: string; label: string }[] {
  if (!account) return [];
  const numbers = account.numbers.map((n) => ({ value: n.number, label: `${n.number} (${n.type.replace("_", " ")})` }));
  const channels = (account.channels ?? []).map((c) => ({ value: c.channel_id, label: `${c.name} (${c.channel_id})` }));
  return [{ value: "", label: "Pick one" }, ...numbers, ...channels];
}

interface Props {
  workstream: Workstream | null;
  accounts: Account[];
  /** The skills catalogue's names, which routing rules pick from. */
  catalogue: string[];
  onSaved: (w: Workstream) => void;
}

export function WorkstreamForm({ workstream, accounts, catalogue, onSaved }: Props) {
  const form = useForm<Workstream>(workstream ?? newWorkstream(accounts));
  const w = form.value;
  const account = accounts.find((a) => a.id === w.account_id);
  const fallbacks = useFallbackTemplates(account, w.templates);
  const save = async () => {
    const saved = workstream
      ? await api.patch<Workstream>(`/admin/workstreams/${encodeURIComponent(workstream.id)}`,
        changedFields(bodyOf(w), bodyOf(workstream)))
      : await api.post<Workstream>("/admin/workstreams", bodyOf(w));
    onSaved(saved);
  };
  return (
    <BoundForm form={form} onSubmit={save} label={workstream ? "Workstream settings" : "New workstream"}>
      <fieldset>
        <legend>Workstream</legend>
        <TextField path="name" label="Name" required />
        <Select path="account_id" label="Account" options={accounts.map((a) => ({ value: a.id, label: `${a.name} (${a.channel})` }))} />
        <Select path="number" label="Number or channel" required options={addresses(accounts.find((a) => a.id === w.account_id))} />
        <NumberField path="auto_close_after_minutes" label="Auto-close after (minutes idle)" min={1} max={43200}
          hint="empty: the app's default (480 minutes); at most 43200 (30 days)" />
        <TextField path="language" label="Language" hint="a BCP 47 tag, e.g. en-US" />
      </fieldset>
      <fieldset>
        <legend>Distribution</legend>
        <Select path="distribution.mode" label="Mode" options={[{ value: "push", label: "Push: offered to one agent at a time" },
          { value: "pick", label: "Pick: agents take from their queues" }]} />
        <Select path="distribution.assignment" label="Assignment" options={[
          { value: "highest_capacity", label: "Highest free capacity" }, { value: "round_robin", label: "Round robin" },
          { value: "least_active", label: "Least active" }]} />
        <Checkbox path="distribution.keep_same_agent" label="Offer a returning customer to their previous agent first" />
        <NumberField path="distribution.offer_timeout_seconds" label="Offer timeout (seconds)" min={10} max={3600} />
        <NumberField path="distribution.widen_skills_after_seconds"
          label="Offer to the closest match after (seconds, blank = never)" min={0} max={86400}
          hint={"when no available agent has every skill a conversation's routing rule needs, it waits this long, "
            + "then goes to the agent who comes closest; 0 to 86400"} />
      </fieldset>
      <Hours form={form} />
      <ServiceLevels />
      <fieldset>
        <legend>Automated messages</legend>
        <Checkbox path="allow_automated_messages" label="Send automated messages" />
        <p class="hint">{WHATSAPP_ONLY}</p>
        {AUTOMATED.map(([key, name, hint]) => (
          <Fragment key={key}>
            <TextArea path={`automated_messages.${key}.text`} label={`${name} message`} hint={hint} rows={2} />
            <InteractiveSetting path={`automated_messages.${key}`} owner={`${name} message`} />
          </Fragment>
        ))}
        <WindowFallback kind="closing" what="Closing message" templates={fallbacks} />
      </fieldset>
      <fieldset>
        <legend>Attachments</legend>
        <Checkbox path="attachments.customers_can_send" label="Customers can send files" hint="else their files are dropped and the text kept" />
        <Checkbox path="attachments.agents_can_send" label="Agents can send files" />
      </fieldset>
      <Survey mode={w.survey.mode}>
        <WindowFallback kind="survey" what="Survey" templates={fallbacks} />
      </Survey>
      <Queues workstreamId={workstream?.id ?? null} />
      <Routing queues={w.queues} catalogue={catalogue} />
      <Overflow queues={w.queues.filter((q) => q.trim())} automated={w.allow_automated_messages} />
      <Waiting form={form} />
      <fieldset>
        <legend>After the 24-hour window</legend>
        <WindowFallback kind="waiting" what="Waiting message" templates={fallbacks} />
        <WindowFallback kind="overflow" what="Overflow messages" templates={fallbacks} />
        <WindowFallback kind="bot" what="Bot replies" templates={fallbacks} />
      </fieldset>
      <Templates account={account} />
      <QuickReplies />
      <WrapUp />
      <button type="submit" disabled={form.busy}>{workstream ? "Save workstream" : "Create workstream"}</button>
    </BoundForm>
  );
}
