/**
 * The start page: choose a name and a room, or create a room (private, or named) as its owner,
 * then go to /r/<room>. Joining a name nobody used yet offers to create it as its owner instead. A created room's owner key is kept in this browser for that room.
 */
import { LIMITS } from "@edge-chat/protocol";
import { isRoomName, normalizeName } from "@edge-chat/protocol/validate";
import { loadName, loadRecentRooms, saveName, saveOwnerKey } from "../storage.ts";
import { byId, el } from "./dom.ts";

/** Room names the page accepts from people: lower-cased, spaces turned into dashes. */
export function roomFromInput(value: string): string {
  return value.trim().toLowerCase().replace(/\s+/g, "-");
}

/**
 * Shows the start page; `notice` explains why someone landed here (a bad room link). `credential`
 * gives a signed user's token for creating rooms (a deployment with AUTH_REQUIRED lets only
 * signed identities create them); without it the request goes as it is (behind Access, its
 * header goes by itself).
 */
export function showLanding(notice?: string, credential?: () => Promise<string | undefined>): void {
  const landing = byId("landing", HTMLElement);
  const form = byId("join-form", HTMLFormElement);
  const nameInput = byId("join-name", HTMLInputElement);
  const roomInput = byId("join-room", HTMLInputElement);
  const error = byId("join-error", HTMLElement);
  const create = byId("create-room", HTMLButtonElement);
  const createNamed = byId("create-named", HTMLButtonElement);
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

  const offer = byId("create-offer", HTMLElement);
  let offered: string | undefined;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    const room = roomFromInput(roomInput.value || "lobby");
    if (!isRoomName(room)) {
      error.textContent = `Room names are 1–${LIMITS.roomMax} characters: a–z, 0–9, - and _.`;
      roomInput.focus();
      return;
    }
    if (takeName()) void join(room);
  });
  roomInput.addEventListener("input", () => {
    offer.hidden = true;
    byId("join-actions", HTMLElement).hidden = false;
  });
  byId("create-offer-yes", HTMLButtonElement).addEventListener("click", (event) => void createRoom(offered, event.currentTarget as HTMLButtonElement));
  byId("create-offer-no", HTMLButtonElement).addEventListener("click", () => offered && location.assign(`/r/${offered}`));

  /**
   * Joins a room that is in use at once; a name nobody used yet is offered to be created as its
   * owner first (joining it would make a room without an owner, which nobody could claim once it
   * holds a message).
   */
  async function join(room: string): Promise<void> {
    try {
      const response = await fetch(`/api/rooms/${room}`);
      const info = (await response.json().catch(() => null)) as { seq?: unknown; owned?: unknown; online?: unknown } | null;
      if (response.ok && info?.seq === 0 && info.owned === false && info.online === 0) {
        offered = room;
        byId("create-offer-text", HTMLElement).textContent = `Nobody uses #${room} yet. Create it as its owner, so that you can moderate it?`;
        byId("join-actions", HTMLElement).hidden = true;
        offer.hidden = false;
        byId("create-offer-yes", HTMLButtonElement).focus();
        return;
      }
    } catch {
      // The room's state could not be read: join, as before.
    }
    location.assign(`/r/${room}`);
  }

  create.addEventListener("click", () => void createRoom(undefined, create));
  createNamed.addEventListener("click", () => {
    error.textContent = "";
    const room = roomFromInput(roomInput.value);
    if (!isRoomName(room)) {
      error.textContent = `Type the new room's name first: 1–${LIMITS.roomMax} characters, a–z, 0–9, - and _.`;
      roomInput.focus();
      return;
    }
    void createRoom(room, createNamed);
  });

  /** `POST /api/rooms`: a private room (no name) or a named one; this browser keeps the owner key. */
  async function createRoom(name: string | undefined, button: HTMLButtonElement): Promise<void> {
    error.textContent = "";
    if (!takeName() || button.disabled) return;
    button.disabled = true;
    try {
      const token = await credential?.();
      const response = await fetch("/api/rooms", {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(name === undefined ? {} : { name }),
      });
      const created = readCreated(await response.json().catch(() => null));
      if (response.status === 409) {
        error.textContent = `#${name} is already in use: join it, or pick another name to create.`;
      } else if (response.status === 401) {
        error.textContent = "Only people signed in to the application this chat belongs to may create rooms here.";
      } else if (response.status === 403) {
        error.textContent = "Your sign-in does not let you create that room.";
      } else if (response.status === 400) {
        error.textContent = `That room name can't be used: 1–${LIMITS.roomMax} characters, a–z, 0–9, - and _.`;
      } else if (response.status === 201 && created) {
        saveOwnerKey(created.room, created.ownerKey);
        location.assign(`/r/${created.room}`);
        return;
      } else {
        throw new Error(`status ${response.status}`);
      }
    } catch {
      error.textContent = "Could not create a room just now. Check your connection and try again.";
    }
    button.disabled = false;
  }
}

/** The body of a 201 from `POST /api/rooms`, checked; null when it is not one. */
function readCreated(body: unknown): { room: string; ownerKey: string } | null {
  if (typeof body !== "object" || body === null) return null;
  const { room, ownerKey } = body as { room?: unknown; ownerKey?: unknown };
  return typeof room === "string" && isRoomName(room) && typeof ownerKey === "string" && ownerKey.length > 0 ? { room, ownerKey } : null;
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
