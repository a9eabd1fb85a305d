// The labels admins defined (GET /api/labels), read when the workspace opens and again when
// an agent edits a conversation's labels, shared by the inbox (cards, the Label filter) and
// the pane through a context; a conversation's labels as chips in their colours. Names
// compare whatever their case, as the API's do.

import { Fragment, createContext } from "preact";
import { useCallback, useContext, useEffect, useMemo, useState } from "preact/hooks";
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
}

export const labelKey = (name: string) => name.toLowerCase();

const LabelContext = createContext<LabelCatalogue>({ labels: [], error: null, colour: () => null, reload: () => undefined });
export const LabelProvider = LabelContext.Provider;
export const useLabels = () => useContext(LabelContext);

export function useLabelCatalogue(): LabelCatalogue {
  const [labels, setLabels] = useState<Label[]>([]);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    api.get<{ labels: Label[] }>("/labels").then((answer) => {
      setLabels(answer.labels.sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" })));
      setError(null);
    }, (caught) => setError(problem(caught).message));
  }, []);
  useEffect(reload, [reload]);
  return useMemo(() => {
    const colours = new Map(labels.map((l) => [labelKey(l.name), l.colour]));
    return { labels, error, reload, colour: (name: string) => colours.get(labelKey(name)) ?? null };
  }, [labels, error, reload]);
}

/** Whether the conversation has the label (any label when none is given). */
export function hasLabel(labels: string[], label: string): boolean {
  return !label || labels.some((name) => labelKey(name) === labelKey(label));
}

/** A conversation's labels, named for a screen reader ("Labels: VIP, Billing"). */
export function LabelChips({ names }: { names: string[] }) {
  const { colour } = useLabels();
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
