// The skills catalogue: what agents can be given (with a proficiency, on the Agents page)
// and routing rules can ask for (on a workstream's page). A new one's refusal (a name
// taken, or not allowed) shows beside its name; a skill still in use cannot be deleted,
// and the API's answer saying where it is used shows under its row.

import { useState } from "preact/hooks";
import { api } from "../api";
import { when } from "../format";
import { BoundForm, TextField, useForm } from "../ui/form";
import { CatalogueRow } from "./CatalogueRow";
import { useLoaded } from "./loaded";
import type { Skill } from "./records";

const byName = (a: Skill, b: Skill) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" });

export function Skills() {
  const [list, error, setList] = useLoaded<{ skills: Skill[] }>("/admin/skills");
  const skills = list?.skills ?? [];
  return (
    <div class="page">
      <h2>Skills</h2>
      <p>What agents can do, such as a language or a product. Give agents skills with a proficiency on the
        Agents page; a workstream's routing rule can ask for them, and the conversations it routes go to the
        agents who have them.</p>
      {/* only once the catalogue is read: one added before would be missing from it when the read
          began before the add */}
      {list ? <AddSkill onAdded={(s) => setList({ skills: [...skills, s].sort(byName) })} /> : null}
      {error ? <p class="notice error" role="alert">The skills could not be read: {error.message}</p> : null}
      {!list && !error ? <p class="muted">Loading…</p> : null}
      {list && skills.length === 0 ? <p class="muted">No skills yet.</p> : null}
      {skills.length ? (
        <section aria-labelledby="skills-title">
          <h3 id="skills-title">The catalogue <span class="count">({skills.length})</span></h3>
          <SkillTable skills={skills} onDeleted={(name) => setList({ skills: skills.filter((s) => s.name !== name) })} />
        </section>
      ) : null}
    </div>
  );
}

function AddSkill({ onAdded }: { onAdded: (skill: Skill) => void }) {
  const form = useForm({ name: "", description: "" });
  const [added, setAdded] = useState("");
  const add = async () => {
    setAdded("");
    const skill = await api.post<Skill>("/admin/skills", form.value);  // a name taken is refused beside the name
    form.replace({ name: "", description: "" });
    setAdded(`Added ${skill.name}.`);
    onAdded(skill);
  };
  return (
    <section aria-labelledby="add-skill-title">
      <h3 id="add-skill-title">Add a skill</h3>
      <BoundForm form={form} onSubmit={add} label="Add a skill">
        <TextField path="name" label="Name" hint="letters, digits, spaces and . + # & -; unique whatever the case" required />
        <TextField path="description" label="Description" hint="optional: what it covers" />
        <button type="submit" disabled={form.busy}>Add skill</button>
        <span role="status" class="status">{added}</span>
      </BoundForm>
    </section>
  );
}

function SkillTable({ skills, onDeleted }: { skills: Skill[]; onDeleted: (name: string) => void }) {
  return (
    <table class="skills">
      <caption class="visually-hidden">Skills</caption>
      <thead>
        <tr><th scope="col">Name</th><th scope="col">Description</th><th scope="col">Added</th>
          <th scope="col"><span class="visually-hidden">Actions</span></th></tr>
      </thead>
      {skills.map((s) => <SkillRows key={s.name} skill={s} onDeleted={onDeleted} />)}
    </table>
  );
}

/** A skill's row, and under it why it could not be deleted. */
function SkillRows({ skill, onDeleted }: { skill: Skill; onDeleted: (name: string) => void }) {
  return (
    <CatalogueRow kind="skills" name={skill.name} onDeleted={onDeleted}>
      <th scope="row">{skill.name}</th>
      <td>{skill.description || "–"}</td>
      <td>{when(skill.created_at)}</td>
    </CatalogueRow>
  );
}
