// A workstream's service levels: the answer times it promises, in minutes (blank: no such
// target), how they are counted and when the holder and supervisors are warned. The API
// checks them; a refused one is named beside its field, like every other setting.

import { NumberField, Select } from "../ui/form";
import type { Workstream } from "./records";

export const NO_SERVICE_LEVELS: Workstream["service_levels"] = {
  first_response_minutes: null, next_response_minutes: null, resolution_minutes: null,
  counted: "calendar", warn_at_percent: 80,
};

const TARGETS = [
  ["first_response", "First response", "from when a conversation reaches the agents to an agent's first message"],
  ["next_response", "Next response", "from a customer's message, once an agent has answered, to an agent's next message"],
  ["resolution", "Resolution", "from when a conversation reaches the agents to its closing"],
];

export function ServiceLevels() {
  return (
    <fieldset>
      <legend>Service levels</legend>
      {TARGETS.map(([key, name, hint]) => (
        <NumberField key={key} path={`service_levels.${key}_minutes`} label={`${name} target (minutes)`}
          hint={`${hint}; blank: no target`} min={1} max={525600} />
      ))}
      <Select path="service_levels.counted" label="Counted in" hint="operating hours: only while open, so the hours above must be set"
        options={[{ value: "calendar", label: "Calendar time" }, { value: "operating_hours", label: "Operating hours" }]} />
      <NumberField path="service_levels.warn_at_percent" label="Warn at % of target" min={1} max={99}
        hint="the holder and the supervisors are told once this share of a target has passed" />
    </fieldset>
  );
}
