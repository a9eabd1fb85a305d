// The rate table that prices WhatsApp messages: what a message of each category costs per
// country calling code, in the business's currency. Each template sent records its estimate
// (its category as synced, the customer's calling code, else the "*" row), and reports add
// the estimates up by workstream and by category. Prices are decimal text, never numbers
// rounded by the browser; a refusal shows beside the field it names.

import { api } from "../api";
import type { Rate, RateTable } from "../types";
import { BoundForm, Select, TextField, useForm } from "../ui/form";
import { ListField } from "../ui/list";
import { confirmSaved } from "../ui/saved";
import { useLoaded } from "./loaded";

const CATEGORIES = ["marketing", "utility", "authentication", "service"] as const;
const DEFAULTS: Rate[] = CATEGORIES.slice(0, 3).map((category) => ({ calling_code: "*", category, price: "0" }));

export function Rates() {
  const [table, error] = useLoaded<RateTable>("/admin/rates");
  return (
    <div class="page">
      <h2>Rates</h2>
      <p>What WhatsApp charges the business for each message it sends, by the category of the template (as the
        provider lists it) and the customer's country calling code. Each template message records its estimated
        cost from this table when it is sent, and reports add the estimates up by workstream and by category.
        Free-form replies inside the 24-hour window are free: add a service row to count them at 0.</p>
      {error ? <p class="notice error" role="alert">The rate table could not be read: {error.message}</p> : null}
      {!table && !error ? <p class="muted">Loading…</p> : null}
      {table ? <RateForm table={table} /> : null}
    </div>
  );
}

function RateForm({ table }: { table: RateTable }) {
  const form = useForm<RateTable>({ currency: table.currency ?? "USD", rates: table.rates.length ? table.rates : DEFAULTS });
  const save = async () => {
    const saved = await api.put<RateTable>("/admin/rates", form.value);
    form.replace(saved);
    confirmSaved("Rate table");
  };
  return (
    <BoundForm form={form} onSubmit={save} label="Rate table">
      <TextField path="currency" label="Currency" hint="ISO 4217, such as USD or EUR: every price below is in it"
        required pattern="[A-Z]{3}" patternHint="three capital letters, such as USD" />
      <ListField<Rate> path="rates" legend="Rates" itemName="rate"
        hint={'One row per calling code and category; a "*" row prices each template category for every other code.'}
        newItem={() => ({ calling_code: "", category: "marketing", price: "" })}
        render={(p, i) => (
          <div class="rate-row">
            <TextField path={`${p}.calling_code`} label={`Rate ${i + 1} calling code`} hint="1, 44, ... or *" required />
            <Select path={`${p}.category`} label={`Rate ${i + 1} category`}
              options={CATEGORIES.map((c) => ({ value: c, label: c }))} />
            <TextField path={`${p}.price`} label={`Rate ${i + 1} price`} hint="per message, such as 0.025" required />
          </div>
        )} />
      <button type="submit" disabled={form.busy}>Save rates</button>
    </BoundForm>
  );
}
