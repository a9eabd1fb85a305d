// Reply buttons or a list on a setting that sends a text (a quick reply, an automated
// message, the survey's question, the waiting message, an overflow rule's message): the
// composer's builder (ui/interactive.tsx) bound to the form at
// `<path>.interactive`, its texts checked with the form's other fields before saving, and
// the API's refusal of one shown beside it.

import type { Interactive } from "../types";
import { FieldError, useField, useProblems } from "../ui/form";
import { InteractiveBuilder, type InteractiveDraft, draftOf, interactivePayload, newButtons, newList, scoredDraft }
  from "../ui/interactive";

export const WHATSAPP_ONLY = "Buttons and lists go to WhatsApp customers only; SMS customers get the text alone.";

interface Props {
  path: string;
  /** Names the setting in each label ("Quick reply 1"), since the form holds several. */
  owner: string;
  /** A survey's question: each option's score (1 to 5) is picked beside it, as its id. */
  scores?: boolean;
}

export function InteractiveSetting({ path, owner, scores }: Props) {
  const at = `${path}.interactive`;
  const field = useField(at);
  const problems = useProblems(at);
  const offered = field.value as Interactive | undefined;
  const change = (next: InteractiveDraft | null) => {
    field.set(next ? interactivePayload(scores ? scoredDraft(next) : next) : undefined);
  };
  const whose = owner.toLowerCase();
  return (
    <>
      {offered ? (
        <InteractiveBuilder draft={draftOf(offered)} change={change} problems={problems} at={at} owner={owner} checked
          scores={scores} />
      ) : (
        <p class="interactive-choice">
          <button type="button" class="secondary" aria-label={`Add buttons to ${whose}`}
            onClick={() => change(newButtons())}>Add buttons</button>{" "}
          <button type="button" class="secondary" aria-label={`Add list to ${whose}`}
            onClick={() => change(newList())}>Add list</button>
        </p>
      )}
      <FieldError id={field.id} problem={field.problem?.field === at ? field.problem : null} />
    </>
  );
}
