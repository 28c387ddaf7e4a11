/** The start page: choose a name and a room, or create a private room, then go to /r/<room>. */
import { LIMITS } from "../../shared/protocol.ts";
import { isRoomName, normalizeName } from "../../shared/validate.ts";
import { loadName, loadRecentRooms, saveName } from "../storage.ts";
import { byId, el } from "./dom.ts";

/** Room names the page accepts from people: lower-cased, spaces turned into dashes. */
export function roomFromInput(value: string): string {
  return value.trim().toLowerCase().replace(/\s+/g, "-");
}

/** Shows the start page; `notice` explains why someone landed here (a bad room link). */
export function showLanding(notice?: string): void {
  const landing = byId("landing", HTMLElement);
  const form = byId("join-form", HTMLFormElement);
  const nameInput = byId("join-name", HTMLInputElement);
  const roomInput = byId("join-room", HTMLInputElement);
  const error = byId("join-error", HTMLElement);
  const create = byId("create-room", HTMLButtonElement);
  landing.hidden = false;
  document.title = "edge-chat";
  nameInput.value = loadName() ?? "";
  error.textContent = notice ?? "";
  showRecent();
  (nameInput.value ? roomInput : nameInput).focus();

  /** The chosen name, saved; false (with a message shown) when it is not acceptable. */
  const takeName = (): boolean => {
    if (nameInput.value.trim() === "") return true; // no name: the room gives a guest name
    const name = normalizeName(nameInput.value);
    if (name === null) {
      error.textContent = `Names are 1–${LIMITS.name} characters, without control characters.`;
      nameInput.focus();
      return false;
    }
    saveName(name);
    return true;
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    const room = roomFromInput(roomInput.value || "lobby");
    if (!isRoomName(room)) {
      error.textContent = `Room names are 1–${LIMITS.roomMax} characters: a–z, 0–9, - and _.`;
      roomInput.focus();
      return;
    }
    if (takeName()) location.assign(`/r/${room}`);
  });

  create.addEventListener("click", async () => {
    error.textContent = "";
    if (!takeName()) return;
    create.disabled = true;
    try {
      const response = await fetch("/api/rooms", { method: "POST" });
      const body: unknown = await response.json();
      const room = typeof body === "object" && body !== null ? (body as { room?: unknown }).room : undefined;
      if (!response.ok || typeof room !== "string" || !isRoomName(room)) throw new Error(`status ${response.status}`);
      location.assign(`/r/${room}`);
    } catch {
      error.textContent = "Could not create a room just now. Check your connection and try again.";
      create.disabled = false;
    }
  });
}

function showRecent(): void {
  const rooms = loadRecentRooms();
  const section = byId("recent", HTMLElement);
  section.hidden = rooms.length === 0;
  byId("recent-list", HTMLUListElement).replaceChildren(
    ...rooms.map((room) => el("li", {}, el("a", { attrs: { href: `/r/${room}` } }, roomLabel(room)))),
  );
}

/** True for the names `POST /api/rooms` makes: 32 lowercase hex characters. */
export function isPrivateRoom(room: string): boolean {
  return /^[0-9a-f]{32}$/.test(room);
}

/** How a room is named on screen: private rooms are shortened. */
export function roomLabel(room: string): string {
  return isPrivateRoom(room) ? `private room ${room.slice(0, 6)}…` : `#${room}`;
}
