/** The chat page's entry: `/r/<room>` opens that room at once; anything else is the start page. */
import { isRoomName } from "@edge-chat/protocol/validate";
import { showLanding } from "./view/landing.ts";
import { showRoom } from "./view/room-page.ts";

const ROOM_PATH = /^\/r\/([^/]+)\/?$/;

/** Picks the view for the current URL. */
function route(): void {
  const match = ROOM_PATH.exec(location.pathname);
  if (!match) return showLanding();
  const room = match[1]!;
  if (isRoomName(room)) return void showRoom(room);
  // A shared link typed with capitals still works: rooms are lower-case.
  const lower = room.toLowerCase();
  if (isRoomName(lower)) {
    history.replaceState(null, "", `/r/${lower}`);
    return void showRoom(lower);
  }
  showLanding("That link does not name a valid room. Pick a room below.");
}

route();
