// What a workstream does for conversations waiting in its queues: overflow rules (a queue,
// a condition, an action; only the fields a rule's condition and action use are shown and
// sent) and the waiting message, each text with the reply buttons or list it may offer.
// Each refused field lands beside its control ("overflow[0].to_queue",
// "waiting_message.after_seconds").

import type { Form } from "../ui/form";
import { NumberField, Select, TextArea, TextField, useField, useLastSet } from "../ui/form";
import { ListField } from "../ui/list";
import { InteractiveSetting, WHATSAPP_ONLY } from "./InteractiveSetting";
import type { OverflowRule, WaitingMessage, Workstream } from "./records";

const CONDITIONS: [OverflowRule["when"], string][] = [
  ["waiting_over", "Too many waiting"], ["wait_over", "Waiting too long"],
  ["nobody_available", "Nobody available"], ["out_of_hours", "Out of hours"]];
const THRESHOLDS: Partial<Record<OverflowRule["when"], [string, string, number, number]>> = {
  waiting_over: ["conversations ahead", "this many or more wait ahead; 1 to 1000", 1, 1000],
  wait_over: ["seconds", "the queue's longest wait is over this; 10 to 86400", 10, 86400],
};
const ACTIONS: [OverflowRule["action"], string][] = [
  ["move", "Move it to another queue"], ["message", "Send a message"], ["close", "Send a message and close it"]];
const PLACEHOLDERS = "{{position}} becomes the customer's place in the queue, {{expected_wait}} the queue's "
  + "median wait today (\"4 minutes\").";

/** A rule as the API takes it: the threshold only for the conditions that have one, the
 *  queue to move to only for move, the text and its buttons only for message and close. */
export function overflowBody(r: OverflowRule): OverflowRule {
  const { threshold, to_queue: toQueue, text, interactive, ...rule } = r;
  return { ...rule, ...(r.when in THRESHOLDS ? { threshold } : {}),
    ...(r.action === "move" ? { to_queue: toQueue } : { text: text ?? "", ...(interactive ? { interactive } : {}) }) };
}

const newRule = (queues: string[]): OverflowRule => ({
  name: "", queue: queues[0] ?? null, when: "waiting_over", threshold: null, action: "move", to_queue: null, text: "",
});

export function Overflow({ queues, automated }: { queues: string[]; automated: boolean }) {
  const rules = (useField("overflow").value as OverflowRule[] | undefined) ?? [];
  return (
    <fieldset>
      <legend>Overflow</legend>
      <ListField<OverflowRule> path="overflow" legend="Overflow rules" itemName="overflow rule"
        hint={"What a swamped or unstaffed queue does with a conversation waiting there: the first rule that holds "
          + `acts, once per rule and conversation. ${WHATSAPP_ONLY}`}
        newItem={() => newRule(queues)} render={(p, i) => <RuleFields path={p} index={i} rule={rules[i]} queues={queues} />} />
      {rules.some((r) => r.action !== "move") && !automated ? <AutomatedOff /> : null}
    </fieldset>
  );
}

interface RuleProps {
  path: string;
  index: number;
  rule: OverflowRule | undefined;
  queues: string[];
}

function RuleFields({ path, index, rule, queues }: RuleProps) {
  const threshold = rule && THRESHOLDS[rule.when];
  const name = `Overflow rule ${index + 1}`;
  const named = queues.map((q) => ({ value: q, label: q }));
  return (
    <>
      <TextField path={`${path}.name`} label={`${name} name`} hint="shown in a conversation's history when it acts" />
      <div class="pair">
        <Select path={`${path}.queue`} label={`${name} queue`}
          options={[...named, { value: "", label: "No queue (unqueued)" }]} />
        <Select path={`${path}.when`} label={`${name} condition`}
          options={CONDITIONS.map(([value, label]) => ({ value, label }))} />
        {threshold ? <NumberField path={`${path}.threshold`} label={`${name} threshold (${threshold[0]})`}
          hint={threshold[1]} min={threshold[2]} max={threshold[3]} /> : null}
      </div>
      <div class="pair">
        <Select path={`${path}.action`} label={`${name} action`} options={ACTIONS.map(([value, label]) => ({ value, label }))} />
        {rule?.action === "move" ? <Select path={`${path}.to_queue`} label={`${name} moves to`} required
          options={[{ value: "", label: "Pick a queue" }, ...named.filter((q) => q.value !== rule.queue)]} /> : null}
      </div>
      {rule && rule.action !== "move" ? (
        <>
          <TextArea path={`${path}.text`} label={`${name} text`} rows={2}
            hint={`${rule.action === "close" ? "Sent, then the conversation closes. " : ""}${PLACEHOLDERS}`} />
          <InteractiveSetting path={path} owner={name} />
        </>
      ) : null}
    </>
  );
}

const FIRST_WAITING: WaitingMessage = {
  after_seconds: 180, text: "You are number {{position}} in line; about {{expected_wait}} to wait.",
};

export function Waiting({ form }: { form: Form<Workstream> }) {
  const message = form.value.waiting_message;
  const last = useLastSet(message);
  return (
    <fieldset>
      <legend>Waiting message</legend>
      <div class="field check">
        <input type="checkbox" id="waiting-set" checked={message !== null}
          onChange={(e) => form.set("waiting_message", e.currentTarget.checked ? last ?? FIRST_WAITING : null)} />
        <label for="waiting-set">Tell a customer still waiting their place in the queue</label>
        <p class="hint">once per conversation, while the workstream is open</p>
      </div>
      {message ? (
        <>
          <NumberField path="waiting_message.after_seconds" label="After waiting (seconds)" min={10} max={86400}
            hint="10 to 86400" />
          <TextArea path="waiting_message.text" label="Waiting message text" rows={2}
            hint={`${PLACEHOLDERS} ${WHATSAPP_ONLY}`} />
          <InteractiveSetting path="waiting_message" owner="Waiting message" />
        </>
      ) : null}
      {message && !form.value.allow_automated_messages ? <AutomatedOff /> : null}
    </fieldset>
  );
}

/** These texts are automated messages: nothing goes out while the switch for them is off. */
function AutomatedOff() {
  return (
    <p class="notice warn">Automated messages are off: these texts are not sent until "Send automated messages"
      is ticked, under Automated messages above.</p>
  );
}
