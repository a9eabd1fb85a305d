// The agents directory: everyone who signed in and those added by Entra object id, with
// the queues they work, the workstreams they supervise, their skills, the roles last seen
// and, where the API has it, their capacity per channel.

import { api } from "../api";
import { when } from "../format";
import { navigate } from "../router";
import { ROLE_LABELS } from "../session";
import type { QueueRef } from "../types";
import { BoundForm, FieldError, NumberField, Select, TextField, useField, useForm } from "../ui/form";
import { ListField } from "../ui/list";
import { RecordList, RecordPage } from "../ui/records";
import { confirmSaved } from "../ui/saved";
import { useLoaded } from "./loaded";
import { changedFields, type Agent, type AgentSkill, type Workstream } from "./records";
import { SkillList, useCatalogue } from "./SkillList";

export function Agents({ id }: { id: string | null }) {
  const [workstreams] = useLoaded<{ workstreams: Workstream[] }>("/admin/workstreams");
  const [agent, error] = useLoaded<Agent>(id && id !== "new" ? `/admin/agents/${encodeURIComponent(id)}` : null);
  const catalogue = useCatalogue();
  const all = workstreams?.workstreams ?? [];
  if (!id) return <AgentList workstreams={all} />;
  return (
    <RecordPage kind="agents" back="All agents" title={id === "new" ? "Add an agent" : agent?.name || id} error={error}>
      {workstreams && catalogue && (id === "new" || agent)
        ? <AgentForm key={agent?.updated_at ?? "new"} agent={agent} workstreams={all} catalogue={catalogue} /> : null}
    </RecordPage>
  );
}

function AgentList({ workstreams }: { workstreams: Workstream[] }) {
  const [list, error] = useLoaded<{ agents: Agent[] }>("/admin/agents");
  const name = (wid: string) => workstreams.find((w) => w.id === wid)?.name ?? wid;
  const queue = (q: QueueRef) => `${name(q.workstream_id)}: ${q.queue ?? "unqueued"}`;
  return (
    <RecordList<Agent> kind="agents" title="Agents" newLabel="Add an agent" empty="Nobody yet."
      intro="Everyone who signed in, and those added by Entra object id. Roles come from each sign-in."
      rows={list?.agents ?? null} error={error} name={(a) => a.name || a.id} columns={[
        { header: "Roles seen", cell: (a) => a.roles.map((r) => ROLE_LABELS[r] ?? r).join(", ") || "–" },
        { header: "Queues", cell: (a) => a.queues.map(queue).join("; ") || "–" },
        { header: "Supervises", cell: (a) => a.supervises.map(name).join(", ") || "–" },
        { header: "Skills", cell: (a) => a.skills.map((s) => `${s.name} ${s.proficiency}`).join(", ") || "–" },
        { header: "Capacity", cell: (a) => a.capacity ? Object.entries(a.capacity).map(([c, n]) => `${c} ${n}`).join(", ") : "–" },
        { header: "Last seen", cell: (a) => when(a.last_seen_at) },
      ]} />
  );
}

interface Draft {
  object_id: string;
  name: string;
  queues: QueueRef[];
  supervises: string[];
  skills: AgentSkill[];
  capacity?: Record<string, number>;
}

interface FormProps {
  agent: Agent | null;
  workstreams: Workstream[];
  catalogue: string[];
}

function draftOf(agent: Agent | null): Draft {
  return agent
    ? { object_id: agent.id, name: agent.name, queues: agent.queues, supervises: agent.supervises,
      skills: agent.skills, capacity: agent.capacity }
    : { object_id: "", name: "", queues: [], supervises: [], skills: [] };
}

/** The body the API takes: a capacity the directory has none of is left out. */
function bodyOf({ object_id: _id, capacity, ...body }: Draft): Record<string, unknown> {
  return capacity ? { ...body, capacity } : body;
}

function AgentForm({ agent, workstreams, catalogue }: FormProps) {
  const form = useForm<Draft>(draftOf(agent));
  const save = async () => {
    const saved = agent
      ? await api.patch<Agent>(`/admin/agents/${encodeURIComponent(agent.id)}`,
        changedFields(bodyOf(form.value), bodyOf(draftOf(agent))))
      : await api.post<Agent>("/admin/agents", { object_id: form.value.object_id, ...bodyOf(form.value) });
    confirmSaved(`Agent ${saved.name || saved.id}`, "admin", "agents");
  };
  const remove = () => form.submit(async () => {
    if (agent && window.confirm(`Remove ${agent.name || agent.id} from the directory?`)) {
      await api.delete(`/admin/agents/${encodeURIComponent(agent.id)}`);
      navigate("admin", "agents");
    }
  });
  const queuesOf = (wid: string) => workstreams.find((w) => w.id === wid)?.queues ?? [];
  return (
    <BoundForm form={form} onSubmit={save} label={agent ? "Agent" : "Add an agent"}>
      {agent ? <p class="meta">Entra object id {agent.id} · roles seen: {agent.roles.join(", ") || "none"}</p>
        : <TextField path="object_id" label="Entra object id" hint="a GUID, from Entra ID's Users page" required
          pattern="[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
          patternHint="must be a GUID such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301, from Entra ID's Users page" />}
      <TextField path="name" label="Name" hint="until they sign in, which records the name Entra gives" />
      <ListField<QueueRef> path="queues" legend="Queues" itemName="queue"
        newItem={() => ({ workstream_id: workstreams[0]?.id ?? "", queue: null })} render={(p, i) => (
          <>
            <Select path={`${p}.workstream_id`} label={`Queue ${i + 1} workstream`} required
              options={workstreams.map((w) => ({ value: w.id, label: w.name }))}
              onPicked={() => form.set(`${p}.queue`, null)} /* another workstream's queues: none picked yet */ />
            <Select path={`${p}.queue`} label={`Queue ${i + 1} name`} options={[{ value: "", label: "Unqueued conversations" },
              ...queuesOf(form.value.queues[i]?.workstream_id).map((q) => ({ value: q, label: q }))]} />
          </>
        )} />
      <Supervises workstreams={workstreams} />
      <SkillList path="skills" legend="Skills" label="Skill" level="proficiency" catalogue={catalogue}
        hint={"What the agent can do, each with a proficiency from 1 (some) to 10 (expert): a conversation whose "
          + "routing rule needs skills goes to agents who have them at the proficiency asked."} />
      {form.value.capacity ? (
        <fieldset>
          <legend>Capacity (conversations at once, per channel)</legend>
          {Object.keys(form.value.capacity).map((channel) => (
            <NumberField key={channel} path={`capacity.${channel}`} label={`${channel} capacity`} min={0} />
          ))}
        </fieldset>
      ) : null}
      <button type="submit" disabled={form.busy}>{agent ? "Save agent" : "Add agent"}</button>
      {agent ? <button type="button" class="danger" onClick={remove}>Remove from the directory</button> : null}
    </BoundForm>
  );
}

function Supervises({ workstreams }: { workstreams: Workstream[] }) {
  const field = useField("supervises");
  const chosen = (field.value as string[]) ?? [];
  const toggle = (id: string, on: boolean) => field.set(on ? [...chosen, id] : chosen.filter((x) => x !== id));
  return (
    <fieldset id={field.id} tabIndex={-1}>
      <legend>Supervises</legend>
      <FieldError id={field.id} problem={field.problem} />
      {workstreams.length === 0 ? <p class="muted">No workstreams yet.</p> : null}
      {workstreams.map((w) => (
        <div class="field check" key={w.id}>
          <input type="checkbox" id={`supervises-${w.id}`} checked={chosen.includes(w.id)}
            onChange={(e) => toggle(w.id, e.currentTarget.checked)} />
          <label for={`supervises-${w.id}`}>{w.name}</label>
        </div>
      ))}
    </fieldset>
  );
}
