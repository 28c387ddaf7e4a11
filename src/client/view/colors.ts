/** A stable colour per user: the same id always gets the same hue, in every tab and on every visit. */

/** A hue (0–359) derived from a user id with FNV-1a, spread well even for similar ids. */
export function userHue(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 360;
}

/** Sets the CSS variable the stylesheet turns into a readable colour for light and dark themes. */
export function paintUser(element: HTMLElement, id: string): void {
  element.style.setProperty("--hue", String(userHue(id)));
}

/** The initial shown in an avatar: the first letter or symbol of a name (whole, even outside the BMP). */
export function initialOf(name: string): string {
  const first = Array.from(name.trim())[0] ?? "?";
  return first.toLocaleUpperCase();
}
