// Skills inside a bound form, each a skill of the catalogue with a level from 1 to 10: an
// agent's (the proficiency it has) and a routing rule's (the least proficiency it needs).
// A refused one lands beside its control ("skills[0].proficiency").

import { href } from "../router";
import { NumberField, Select, useField } from "../ui/form";
import { ListField } from "../ui/list";
import { useLoaded } from "./loaded";
import type { Skill } from "./records";

/** The catalogue's skill names, [] until read (or when it could not be). */
export function useCatalogue(): string[] | null {
  const [list, error] = useLoaded<{ skills: Skill[] }>("/admin/skills");
  return list ? list.skills.map((s) => s.name) : error ? [] : null;
}

interface Props {
  path: string; // "skills", "routing_rules[0].skills"
  legend: string;
  /** What each control's label starts with: "Skill" gives "Skill 1", "Skill 1 proficiency". */
  label: string;
  level: "proficiency" | "min_proficiency";
  catalogue: string[];
  hint: string;
}

export function SkillList({ path, legend, label, level, catalogue, hint }: Props) {
  const chosen = (useField(path).value as { name: string | null }[] | undefined) ?? [];
  const options = (current: string | null | undefined) => {
    const names = current && !catalogue.includes(current) ? [...catalogue, current] : catalogue;
    return [{ value: "", label: "Pick a skill" }, ...names.map((name) => ({ value: name, label: name }))];
  };
  const empty = <>The catalogue has no skills yet: add them on the <a href={href("admin", "skills")}>Skills</a> page.</>;
  const levelName = level === "proficiency" ? "proficiency" : "minimum proficiency";
  return (
    <ListField path={path} legend={legend} itemName="skill" hint={catalogue.length ? hint : empty}
      newItem={() => ({ name: "", [level]: level === "proficiency" ? null : 1 })} render={(p, i) => (
        <div class="pair">
          <Select path={`${p}.name`} label={`${label} ${i + 1}`} options={options(chosen[i]?.name)} />
          <NumberField path={`${p}.${level}`} label={`${label} ${i + 1} ${levelName}`} min={1} max={10} />
        </div>
      )} />
  );
}
