/**
 * The chat page's entry: it learns how this deployment signs people in (`/api/config`), then
 * `/r/<room>` opens that room at once and anything else is the start page. `?embed=1` is the
 * compact page another application frames (no start page, a slim header).
 */
import { isRoomName } from "@edge-chat/protocol/validate";
import { pageIdentity, type RoomIdentity } from "./sign-in/identity.ts";
import { loadPageConfig } from "./sign-in/page-config.ts";
import { showLanding } from "./view/landing.ts";
import { showRoom } from "./view/room-page.ts";
import { showSignInNeeded } from "./view/sign-in-needed.ts";

const ROOM_PATH = /^\/r\/([^/]+)\/?$/;

/** Picks the view for the current URL. */
function route(identity: RoomIdentity, embedded: boolean): void {
  const match = ROOM_PATH.exec(location.pathname);
  // A signed user creates rooms with their token.
  const credential = identity.kind === "signed" ? identity.auth : undefined;
  if (!match) return showLanding(embedded ? "An embedded chat needs a room's link: /r/<room>?embed=1." : undefined, credential);
  const room = match[1]!;
  if (isRoomName(room)) return void showRoom(room, identity);
  // A shared link typed with capitals still works: rooms are lower-case.
  const lower = room.toLowerCase();
  if (isRoomName(lower)) {
    history.replaceState(null, "", `/r/${lower}${location.search}`);
    return void showRoom(lower, identity);
  }
  showLanding("That link does not name a valid room. Pick a room below.", credential);
}

/** Starts the page. */
async function start(): Promise<void> {
  const embedded = new URLSearchParams(location.search).get("embed") === "1";
  document.documentElement.classList.toggle("embed", embedded);
  const identity = pageIdentity(await loadPageConfig(), embedded);
  // Only signed identities may enter, and nothing here can get one: say so, and connect nowhere.
  if (identity.kind === "unavailable") return showSignInNeeded();
  route(identity, embedded);
}

void start();
