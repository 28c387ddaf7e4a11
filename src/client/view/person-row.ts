/** One person as the online list and the full list show them: avatar, name, role badge, "you". */
import type { ListedUser, Role } from "@edge-chat/protocol";
import { initialOf, paintUser } from "./colors.ts";
import { el } from "./dom.ts";

/**
 * The mark of the viewer's own name, messages and quotes: a badge beside the name, never text in
 * a name's place. Anyone may call themselves "You", so the page never labels its person with a
 * word alone: it shows their own name and this badge, which no name can draw (names are plain
 * text in the name's style; test/e2e/you-label.spec.ts).
 */
export function selfBadge(): HTMLElement {
  return el("span", { class: "self-badge", attrs: { title: "This is you" } }, "you");
}

/** The small badge shown after a name for owners and moderators; null for members. */
export function roleBadge(role: Role | undefined): HTMLElement | null {
  if (role !== "owner" && role !== "moderator") return null;
  return el("span", { class: `role-badge ${role}` }, role);
}

/** The badge of a bot's name: "hook" for an incoming hook's messages, "bot" for a signed bot. */
export function botBadge(user: { id: string; bot?: true }): HTMLElement | null {
  if (!user.bot) return null;
  const hook = user.id.startsWith("hook:");
  return el("span", { class: "bot-badge", attrs: { title: hook ? "Posted by an integration (incoming hook)" : "A bot" } }, hook ? "hook" : "bot");
}

/** The button for one person; `label` says what a click does (for people who cannot see it). */
export function personButton(user: ListedUser, self: boolean, label: string): HTMLButtonElement {
  const avatar = el("span", { class: "avatar small", attrs: { "aria-hidden": "true" } }, initialOf(user.name));
  paintUser(avatar, user.id);
  const button = el(
    "button",
    { class: "person", attrs: { type: "button", title: label, "data-id": user.id } },
    avatar,
    el("span", { class: "person-name", attrs: { dir: "auto" } }, user.name),
  );
  const badge = roleBadge(user.role);
  if (badge) button.append(badge);
  const bot = botBadge(user);
  if (bot) button.append(bot);
  if (self) button.append(selfBadge());
  button.append(el("span", { class: "visually-hidden" }, `: ${label}`));
  return button;
}
