/** A short confirmation that fades by itself ("Link copied"). */

let timer: ReturnType<typeof setTimeout> | undefined;

/** Shows `text` in the toast for a few seconds. */
export function toast(text: string): void {
  const element = document.getElementById("toast");
  if (!element) return;
  element.textContent = text;
  element.hidden = false;
  clearTimeout(timer);
  timer = setTimeout(() => (element.hidden = true), 2_500);
}
