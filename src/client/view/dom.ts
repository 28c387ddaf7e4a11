/**
 * The one way the page builds DOM: elements with attributes and children, where every string
 * becomes a text node. User text therefore never passes through an HTML parser.
 *
 * Each piece of user text (a name, a message) is also its own bidirectional isolate: an element
 * with `dir="auto"`, or `isolate()` for text inside a sentence of the page's own. Then its
 * direction comes from its own first strong letter, and neither a right-to-left name nor a
 * U+202E inside a message can reorder what is around it (the time, the next words).
 */

/** Attributes and properties for `el`. */
export interface ElementProps {
  class?: string;
  /** Plain attributes (aria-*, data-*, title, type, ...). */
  attrs?: Record<string, string>;
}

/** Creates an element; string children are added as text nodes, never as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** User text inside a sentence of the page's own ("NAME joined"): a `<bdi>` that isolates it. */
export function isolate(text: string): HTMLElement {
  return el("bdi", {}, text);
}

/** Finds a required element of the static page by id, with its expected type. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`the page has no #${id} of the expected kind`);
  return element;
}
