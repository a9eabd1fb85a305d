// The list-shaped settings of a workstream: operating hours, queues, routing rules (with
// the skills each needs), templates, quick replies and the wrap-up's dispositions; and its
// survey, whose fields follow its mode.

import type { ComponentChildren } from "preact";
import type { Form } from "../ui/form";
import { Checkbox, NumberField, Select, TextArea, TextField, useField, useLastSet } from "../ui/form";
import { ListField, StringList } from "../ui/list";
import type { QuickReply, Template } from "../types";
import { TemplatePicker } from "./AccountTemplates";
import { InteractiveSetting, WHATSAPP_ONLY } from "./InteractiveSetting";
import { useLoaded } from "./loaded";
import type { Account, Agent, Condition, RoutingRule, WeeklyHours, Workstream } from "./records";
import { SkillList } from "./SkillList";

const DAYS: WeeklyHours["day"][] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const OPERATORS = ["equals", "contains", "starts_with", "exists"];

function defaultHours(): Workstream["operating_hours"] {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  return { time_zone: zone, weekly: DAYS.slice(0, 5).map((day) => ({ day, open: "09:00", close: "17:00" })), closures: [] };
}

export function Hours({ form }: { form: Form<Workstream> }) {
  const hours = form.value.operating_hours;
  const last = useLastSet(hours);
  return (
    <fieldset>
      <legend>Operating hours</legend>
      <div class="field check">
        <input type="checkbox" id="hours-set" checked={hours !== null}
          onChange={(e) => form.set("operating_hours", e.currentTarget.checked ? last ?? defaultHours() : null)} />
        <label for="hours-set">Set operating hours</label>
        <p class="hint">unset: always open</p>
      </div>
      {hours ? (
        <>
          <TextField path="operating_hours.time_zone" label="Time zone" hint="an IANA time zone, e.g. America/Los_Angeles" />
          <ListField<WeeklyHours> path="operating_hours.weekly" legend="Weekly hours" itemName="interval"
            newItem={() => ({ day: "monday", open: "09:00", close: "17:00" })} render={(p, i) => (
              <>
                <Select path={`${p}.day`} label={`Interval ${i + 1} day`} options={DAYS.map((d) => ({ value: d, label: d }))} />
                <TextField path={`${p}.open`} label={`Interval ${i + 1} opens`} hint="HH:MM" />
                <TextField path={`${p}.close`} label={`Interval ${i + 1} closes`} hint="HH:MM, 24:00 for midnight" />
              </>
            )} />
          <StringList path="operating_hours.closures" legend="Closed all day" itemName="Closed date" type="date" />
        </>
      ) : null}
    </fieldset>
  );
}

export function Survey({ mode, children }: { mode: string | undefined; children?: ComponentChildren }) {
  const question = mode === "question";
  return (
    <fieldset>
      <legend>Survey</legend>
      <Checkbox path="survey.enabled" label="Send a survey when a conversation closes" />
      <Select path="survey.mode" label="Survey mode" options={[{ value: "link", label: "Link: a page outside the channel" },
        { value: "question", label: "Question: the customer answers 1 to 5 in the channel" }]} />
      <TextArea path="survey.text" label="Survey text" rows={2} hint={question
        ? "the question, e.g. How did we do? Reply 1 to 5" : "must contain {{link}}, replaced by the URL"} />
      {question ? (
        <>
          <p class="hint">{"Each option scores the number picked beside it, 1 to 5; buttons hold three at most, "
            + `so a scale of five takes a list. ${WHATSAPP_ONLY}`}</p>
          <InteractiveSetting path="survey" owner="Survey" scores />
          <NumberField path="survey.window_minutes" label="Answer window (minutes)" min={1} max={10080}
            hint="how long after the survey went out an answer counts" />
          <TextArea path="survey.thanks" label="Thanks for an answer" rows={2} hint="sent after the customer answers" />
        </>
      ) : <TextField path="survey.url" label="Survey URL" type="url" />}
      {children}
    </fieldset>
  );
}

/** A rule that places every conversation: each of its conditions is "customer exists". */
const coversAll = (rule: RoutingRule) => rule.queue && rule.conditions.every((c) => c.field === "customer" && c.operator === "exists");

/** Who is offered the conversations no queue takes: the agents who have this workstream's
 *  unqueued conversations among their queues on the Agents page. */
function unqueuedWarning(workstreamId: string | null, agents: Agent[] | null): string {
  const takers = workstreamId && agents
    ? agents.filter((a) => a.queues.some((q) => q.workstream_id === workstreamId && q.queue === null)).map((a) => a.name || a.id)
    : [];
  const whom = takers.length
    ? `they are offered only to ${takers.join(", ")}, who work this workstream's unqueued conversations (Agents page)`
    : "no agent works this workstream's unqueued conversations, so they are offered to nobody and only supervisors "
      + "and admins see them, marked Unqueued on Supervise";
  return `Conversations that no routing rule places will wait unqueued: ${whom}. Pick a default queue, or add a last `
    + `routing rule whose only condition is "customer exists", to queue every conversation.`;
}

export function Queues({ workstreamId }: { workstreamId: string | null }) {
  const queues = ((useField("queues").value as string[] | undefined) ?? []).filter((q) => q.trim());
  const defaultQueue = useField("default_queue").value as string | null | undefined;
  const rules = (useField("routing_rules").value as RoutingRule[] | undefined) ?? [];
  const [directory] = useLoaded<{ agents: Agent[] }>("/admin/agents");
  // A warning, not an error: saving stays possible (someone may work the unqueued conversations).
  const trap = queues.length > 0 && !defaultQueue && !rules.some(coversAll);
  const noteId = "default-queue-warning";
  return (
    <fieldset>
      <legend>Queues</legend>
      <StringList path="queues" legend="Queue names" itemName="Queue" />
      <Select path="default_queue" label="Default queue" describedBy={trap ? noteId : undefined}
        options={[{ value: "", label: "None (unqueued)" }, ...queues.map((q) => ({ value: q, label: q }))]} />
      <div role="status">
        {trap ? <p class="notice warn" id={noteId}>{unqueuedWarning(workstreamId, directory?.agents ?? null)}</p> : null}
      </div>
    </fieldset>
  );
}

export function Routing({ queues, catalogue }: { queues: string[]; catalogue: string[] }) {
  const options = [{ value: "", label: "Pick a queue" }, ...queues.filter((q) => q.trim()).map((q) => ({ value: q, label: q }))];
  return (
    <ListField<RoutingRule> path="routing_rules" legend="Routing rules" itemName="rule"
      hint="The first rule whose conditions all hold sets a new conversation's queue."
      newItem={() => ({ name: "", conditions: [{ field: "body", operator: "contains", value: "" }], queue: "", skills: [] })}
      render={(p, i) => (
        <>
          <TextField path={`${p}.name`} label={`Rule ${i + 1} name`} />
          <Select path={`${p}.queue`} label={`Rule ${i + 1} queue`} options={options} required />
          <ListField<Condition> path={`${p}.conditions`} legend={`Rule ${i + 1} conditions`} itemName="condition"
            newItem={() => ({ field: "body", operator: "contains", value: "" })} render={(c, j) => (
              <>
                <TextField path={`${c}.field`} label={`Rule ${i + 1} condition ${j + 1} field`}
                  hint="body, customer, country or contact.<field>" />
                <Select path={`${c}.operator`} label={`Rule ${i + 1} condition ${j + 1} operator`}
                  options={OPERATORS.map((o) => ({ value: o, label: o.replace("_", " ") }))} />
                <TextField path={`${c}.value`} label={`Rule ${i + 1} condition ${j + 1} value`} hint="not used by exists" />
              </>
            )} />
          <SkillList path={`${p}.skills`} legend={`Rule ${i + 1} needs skills`} label={`Rule ${i + 1} skill`}
            level="min_proficiency" catalogue={catalogue}
            hint={"Offered only to agents who have each at this proficiency (1 to 10) or more; see Distribution "
              + "for when to offer it to the closest match instead."} />
        </>
      )} />
  );
}

export function Templates({ account }: { account: Account | undefined }) {
  return (
    <ListField<Template> path="templates" legend="Templates (approved WhatsApp templates)" itemName="template"
      hint="Pick them from the account's synced templates; paste one only for an account that lists none (SMS)."
      before={<TemplatePicker account={account} />}
      newItem={() => ({ name: "", language: "en_US", text: "" })} render={(p, i) => (
        <>
          <TextField path={`${p}.name`} label={`Template ${i + 1} name`} hint="as approved: lower case, digits, _" />
          <TextField path={`${p}.language`} label={`Template ${i + 1} language`} hint="e.g. en_US" />
          <TextArea path={`${p}.text`} label={`Template ${i + 1} text`} hint="placeholders {{1}}, {{2}}, ..." rows={2} />
          <TextField path={`${p}.content_sid`} label={`Template ${i + 1} Twilio Content SID (optional)`} />
        </>
      )} />
  );
}

export function QuickReplies() {
  return (
    <ListField<QuickReply> path="quick_replies" legend="Quick replies" itemName="quick reply"
      hint={"Canned answers agents pick in the composer. {{customer_name}}, {{contact.name}} and {{agent_name}} are "
        + `filled in. ${WHATSAPP_ONLY}`}
      newItem={() => ({ name: "", text: "" })} render={(p, i) => (
        <>
          <TextField path={`${p}.name`} label={`Quick reply ${i + 1} name`} />
          <TextArea path={`${p}.text`} label={`Quick reply ${i + 1} text`} rows={2} />
          <InteractiveSetting path={p} owner={`Quick reply ${i + 1}`} />
        </>
      )} />
  );
}

export function WrapUp() {
  return (
    <fieldset>
      <legend>Wrap-up</legend>
      <StringList path="wrap_up.dispositions" legend="Dispositions" itemName="Disposition"
        hint="What an agent closing a conversation picks (e.g. Resolved, Refund issued); reports count them." />
      <Checkbox path="wrap_up.required" label="Agents must pick a disposition to close"
        hint="needs at least one disposition; the auto-close and overflow rules close without one" />
    </fieldset>
  );
}
