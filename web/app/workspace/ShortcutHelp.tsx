// The keyboard shortcuts' help (`?`): a modal dialog listing them. Focus moves into it,
// stays there, and Escape or Close returns it where it was.

import { useEffect, useRef } from "preact/hooks";
import { SHORTCUTS } from "./shortcuts";

export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    close.current?.focus();
    return () => before?.focus?.();
  }, []);
  const keyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      onClose();
    } else if (event.key === "Tab") {
      event.preventDefault(); // its one control keeps the focus
      close.current?.focus();
    }
  };
  return (
    <div class="dialog-backdrop" onClick={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" onKeyDown={keyDown}>
        <h2 id="shortcuts-title">Keyboard shortcuts</h2>
        <p class="meta">Not while typing in a field, nor with Ctrl, Alt or Meta held.</p>
        <dl class="shortcut-list">
          {SHORTCUTS.map(([key, does]) => (
            <div key={key}><dt><kbd>{key}</kbd></dt><dd>{does}</dd></div>
          ))}
        </dl>
        <button type="button" ref={close} onClick={onClose}>Close shortcuts</button>
      </div>
    </div>
  );
}
