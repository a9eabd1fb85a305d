// Labels as chips: the name on the label's colour, in black or white, whichever contrasts
// more with it (WCAG's relative luminance: at least 4.58:1 whatever the colour), so the words
// carry the meaning and the colour only helps the eye. A name no label has any more (an
// admin deleted it; conversations keep it) reads on a plain chip. The colour is set by
// script, as a custom property through the CSSOM, which the page's policy allows: never a
// style attribute in markup.

import type { Ref } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";

/** WCAG's relative luminance of "#rrggbb". */
function luminance(colour: string): number {
  const [r, g, b] = [1, 3, 5].map((at) => parseInt(colour.slice(at, at + 2), 16) / 255)
    .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Black text on a light colour, white on a dark one: whichever contrasts more. */
export function inkOn(colour: string): "dark" | "light" {
  const l = luminance(colour);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "dark" : "light";
}

/** An element whose `--label-colour` is `colour` (none: the rule's own). */
export function useLabelColour<T extends HTMLElement>(colour: string | null): Ref<T> {
  const element = useRef<T>(null);
  useLayoutEffect(() => {
    if (colour) element.current?.style.setProperty("--label-colour", colour);
    else element.current?.style.removeProperty("--label-colour");
  }, [colour]);
  return element;
}

export function LabelChip({ name, colour }: { name: string; colour: string | null }) {
  const chip = useLabelColour<HTMLSpanElement>(colour);
  return <span ref={chip} class={`label-chip ${colour ? `ink-${inkOn(colour)}` : "retired"}`}>{name}</span>;
}

/** A square of the colour beside its code ("#1f6feb"), for the catalogue's table. */
export function ColourSwatch({ colour }: { colour: string }) {
  const swatch = useLabelColour<HTMLSpanElement>(colour);
  return <><span ref={swatch} class="swatch label-swatch" aria-hidden="true" /><code>{colour}</code></>;
}
