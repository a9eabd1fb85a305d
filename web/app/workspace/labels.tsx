// The labels admins defined (GET /api/labels), read when the workspace opens, again when
// an agent edits a conversation's labels and when a conversation shows a name it lacks;
// shared by the inbox (cards, the Label filter) and the pane through a context; a
// conversation's labels as chips in their colours. Names compare whatever their case, as
// the API's do.

import { Fragment, createContext } from "preact";
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, problem } from "../api";
import type { Label } from "../types";
import { LabelChip } from "../ui/labels";

export interface LabelCatalogue {
  /** By name. */
  labels: Label[];
  error: string | null;
  /** A label's colour; null for a name no label has (any more). */
  colour: (name: string) => string | null;
  reload: () => void;
  /** Names shown with no label in the catalogue: read it again, once per name (an admin
   * may have made the label since the workspace opened; one deleted stays plain). */
  missing: (names: string[]) => void;
}

export const labelKey = (name: string) => name.toLowerCase();

const LabelContext = createContext<LabelCatalogue>({
  labels: [], error: null, colour: () => null, reload: () => undefined, missing: () => undefined,
});
export const LabelProvider = LabelContext.Provider;
export const useLabels = () => useContext(LabelContext);

export function useLabelCatalogue(): LabelCatalogue {
  const [labels, setLabels] = useState<Label[]>([]);
  const [error, setError] = useState<string | null>(null);
  const loaded = useRef(false);
  const asked = useRef(new Set<string>());
  const latest = useRef(0); // the last read asked for: an earlier one answering after it is dropped
  const reload = useCallback(() => {
    const mine = ++latest.current;
    api.get<{ labels: Label[] }>("/labels").then((answer) => {
      if (mine !== latest.current) return;
      loaded.current = true;
      setLabels(answer.labels.sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" })));
      setError(null);
    }, (caught) => setError(problem(caught).message));
  }, []);
  useEffect(reload, [reload]);
  const missing = useCallback((names: string[]) => {
    const unasked = names.map(labelKey).filter((key) => !asked.current.has(key));
    if (!loaded.current || unasked.length === 0) return;
    unasked.forEach((key) => asked.current.add(key));
    reload();
  }, [reload]);
  return useMemo(() => {
    const colours = new Map(labels.map((l) => [labelKey(l.name), l.colour]));
    return { labels, error, reload, missing, colour: (name: string) => colours.get(labelKey(name)) ?? null };
  }, [labels, error, reload, missing]);
}

/** Whether the conversation has the label (any label when none is given). */
export function hasLabel(labels: string[], label: string): boolean {
  return !label || labels.some((name) => labelKey(name) === labelKey(label));
}

/** A conversation's labels, named for a screen reader ("Labels: VIP, Billing"). */
export function LabelChips({ names }: { names: string[] }) {
  const { colour, missing } = useLabels();
  const unknown = names.filter((name) => colour(name) === null);
  useEffect(() => {
    if (unknown.length) missing(unknown);
  }, [unknown.join("\n"), missing]);
  if (names.length === 0) return null;
  return (
    <span class="label-chips">
      <span class="visually-hidden">Labels: </span>
      {names.map((name, i) => (
        <Fragment key={name}>
          {i > 0 ? <span class="visually-hidden">, </span> : null}
          <LabelChip name={name} colour={colour(name)} />
        </Fragment>
      ))}
    </span>
  );
}
