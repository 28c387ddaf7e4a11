/**
 * The room page: it connects a transport to the views (conversation, people, typing line,
 * composer, banner) and to the browser's online/offline and visibility events.
 */
import type { MembersFrame, MessageFrame, User } from "../../shared/protocol.ts";
import { normalizeName } from "../../shared/validate.ts";
import { openBrowserSocket, roomSocketUrl } from "../browser-socket.ts";
import type { RoomError, RoomFrame } from "../../shared/server-frames.ts";
import { loadName, loadOutbox, loadToken, rememberRoom, saveName, saveOutbox } from "../storage.ts";
import { isSay } from "../pending.ts";
import { Roster } from "../roster.ts";
import { Transport, type ConnectionStatus, type PendingAction } from "../transport.ts";
import { Attention } from "./attention.ts";
import { Banner } from "./banner.ts";
import { initialOf, paintUser } from "./colors.ts";
import { Composer } from "./composer.ts";
import { byId, isolate } from "./dom.ts";
import { describeError, shortReason } from "./errors.ts";
import { isPrivateRoom, roomLabel } from "./landing.ts";
import { MembersDialog } from "./members-dialog.ts";
import { MessageList } from "./messages.ts";
import { PeopleList } from "./people.ts";
import { toast } from "./toast.ts";
import { TypingLine } from "./typing.ts";

/** How long an error under the composer stays. */
const ERROR_SHOWN_MS = 8_000;

/** Opens room `room` at once, under the stored name or a guest name the room gives. */
export function showRoom(room: string): void {
  const page = byId("room", HTMLElement);
  page.hidden = false;
  rememberRoom(room);
  const label = roomLabel(room);
  byId("room-name", HTMLElement).textContent = isPrivateRoom(room) ? label : room;
  page.classList.toggle("private-room", isPrivateRoom(room));
  for (const ref of page.querySelectorAll(".room-ref")) ref.textContent = label;
  const attention = new Attention(`${label} · edge-chat`, byId("announcer", HTMLElement));

  let me: User = { id: "", name: loadName() ?? "" };
  const messages = new MessageList(
    {
      scroller: byId("scroller", HTMLElement),
      list: byId("messages", HTMLOListElement),
      pending: byId("pending", HTMLOListElement),
      loadOlder: byId("load-older", HTMLButtonElement),
      historyStart: byId("history-start", HTMLElement),
      jump: byId("jump-new", HTMLButtonElement),
    },
    () => {
      if (!transport.send({ type: "history", before: messages.oldestSeq, limit: 50 })) messages.olderFailed();
    },
  );
  const roster = new Roster();
  const people = new PeopleList(
    {
      list: byId("people-list", HTMLUListElement),
      count: byId("people-count", HTMLElement),
      toggleCount: byId("people-toggle-count", HTMLElement),
      more: byId("people-more", HTMLButtonElement),
    },
    roster,
    {
      pick: (user) => {
        membersDialog.close();
        composer.setPrivate(user);
        setPeopleOpen(false);
        composer.focus();
      },
      pickSelf: () => {
        membersDialog.close();
        openRename();
      },
      openAll: () => membersDialog.open(),
      extra: () => null,
    },
  );
  const members = new MembersDialog(
    {
      dialog: byId("members-dialog", HTMLDialogElement),
      list: byId("members-list", HTMLUListElement),
      heading: byId("members-count", HTMLElement),
      status: byId("members-status", HTMLElement),
      page: byId("members-page", HTMLElement),
      prev: byId("members-prev", HTMLButtonElement),
      next: byId("members-next", HTMLButtonElement),
      close: byId("members-close", HTMLButtonElement),
    },
    {
      request: (after, limit) => askMembers("dialog", after, limit),
      row: (user) => people.row(user),
      online: () => roster.online,
    },
  );
  const membersDialog = {
    open: () => members.open(),
    close: () => byId("members-dialog", HTMLDialogElement).close(),
  };
  const typing = new TypingLine(byId("typing", HTMLElement));
  const composer = new Composer(
    {
      form: byId("composer", HTMLFormElement),
      input: byId("composer-input", HTMLTextAreaElement),
      send: byId("send", HTMLButtonElement),
      counter: byId("counter", HTMLElement),
      chip: byId("private-chip", HTMLElement),
      chipName: byId("private-name", HTMLElement),
      chipClear: byId("private-clear", HTMLButtonElement),
    },
    {
      submit: (text, to) => {
        showError([]);
        transport.say(text, to);
      },
      // Above 100 online the room drops typing notices: do not send them at all.
      typing: () => !roster.crowded && transport.send({ type: "typing" }),
      users: () => roster.listed(),
    },
  );
  const banner = new Banner(
    { banner: byId("banner", HTMLElement), text: byId("banner-text", HTMLElement), retry: byId("banner-retry", HTMLButtonElement) },
    () => transport.reconnectNow(),
  );

  const transport = new Transport({
    url: roomSocketUrl(room, location),
    token: loadToken(),
    name: () => loadName(),
    openSocket: openBrowserSocket,
    outbox: loadOutbox(room),
    events: {
      status: (status) => {
        banner.show(status);
        messages.showPending(transport.outbox.filter(isSay), pendingState(status, transport.heldUntil));
      },
      welcome: (welcome) => {
        setMe(welcome.self);
        // A guest keeps their guest name across reloads, like a chosen one.
        if (loadName() === undefined) saveName(welcome.self.name);
        roster.reset(welcome);
        membersWaiting.length = 0;
        refreshing = undefined;
        presenceChanged();
        members.reconnected();
        const listed = welcome.messages.filter((m) => m.type === "message");
        if (welcome.resumed) incoming(listed);
        else {
          typing.clear();
          messages.reset(listed, me);
        }
      },
      frame: (frame) => handle(frame),
      outbox: (pending) => {
        saveOutbox(room, pending);
        messages.showPending(pending.filter(isSay), pendingState(transport.status, transport.heldUntil));
      },
      refused: (action, error) => refused(action, error),
    },
  });

  function handle(frame: RoomFrame): void {
    switch (frame.type) {
      case "message":
        return incoming([frame]);
      case "join":
        roster.join(frame.user, frame.online);
        presenceChanged();
        return messages.addSystem(isolate(frame.user.name), " joined");
      case "leave":
        roster.leave(frame.user.id, frame.online);
        presenceChanged();
        typing.stopped(frame.user.id);
        return messages.addSystem(isolate(frame.user.name), " left");
      case "occupancy":
        // No system lines here: a crowded room announces nobody by name.
        roster.occupancy(frame.online);
        return presenceChanged();
      case "members":
        return membersPage(frame);
      case "rename":
        roster.rename(frame.user);
        people.render(me.id);
        composer.renamed(frame.user);
        if (frame.user.id === me.id) {
          setMe(frame.user);
          return messages.addSystem("You are now ", isolate(frame.user.name));
        }
        return messages.addSystem(isolate(frame.old), " is now ", isolate(frame.user.name));
      case "typing":
        return typing.typing(frame.user);
      case "history":
        return messages.prepend(frame.messages, frame.hasMore, me);
      case "error":
        // History and members requests carry no id: a refusal of one comes back without `ref`.
        if (frame.code === "rate_limited" && frame.ref === undefined) {
          members.rateLimited(frame.retryAfterMs ?? 1_000);
          messages.olderFailed();
          return;
        }
        return showError(describeError(frame));
      case "welcome":
        return;
    }
  }

  function incoming(list: MessageFrame[]): void {
    for (const message of messages.add(list, me)) {
      typing.stopped(message.from.id);
      if (message.from.id === me.id) continue;
      const prefix = message.to ? `Private message from ${message.from.name}` : message.from.name;
      attention.incoming(`${prefix}: ${message.text}`);
    }
  }

  function refused(action: PendingAction, error: RoomError): void {
    if (!isSay(action)) return showError(describeError(error));
    messages.showFailed(action, shortReason(error), () => transport.say(action.text, action.to, action.replyTo));
    showError(describeError(error, action.to?.name));
  }

  // ---- presence: the list, the count, and members pages ----

  /** Who asked for each `members` page still to come (the room answers in order). */
  const membersWaiting: ("dialog" | "refresh")[] = [];
  /** The pages of a refresh of the whole list (only while at most 100 are online). */
  let refreshing: MembersFrame["users"] | undefined;
  /** The count at the last refresh: a list that still does not match is not asked for again. */
  let refreshedAt: number | undefined;

  function askMembers(purpose: "dialog" | "refresh", after: string | undefined, limit: number): boolean {
    const frame = after === undefined ? { type: "members" as const, limit } : { type: "members" as const, after, limit };
    if (!transport.send(frame)) return false;
    membersWaiting.push(purpose);
    return true;
  }

  function membersPage(frame: MembersFrame): void {
    const purpose = membersWaiting.shift();
    roster.learn(frame.users);
    if (purpose === "dialog") return members.receive(frame);
    if (purpose !== "refresh" || !refreshing) return;
    refreshing.push(...frame.users);
    if (frame.next !== undefined) {
      askMembers("refresh", frame.next, 500);
      return;
    }
    roster.replace(refreshing);
    refreshing = undefined;
    refreshedAt = roster.online;
    people.render(me.id);
  }

  /** The count or the list changed: draw them, and fetch the whole list when it fell behind. */
  function presenceChanged(): void {
    people.render(me.id);
    members.update();
    if (roster.stale && refreshing === undefined && refreshedAt !== roster.online) {
      refreshing = [];
      if (!askMembers("refresh", undefined, 500)) refreshing = undefined;
    }
  }

  function setMe(user: User): void {
    me = user;
    byId("me-name", HTMLElement).textContent = user.name;
    const avatar = byId("me-avatar", HTMLElement);
    avatar.textContent = initialOf(user.name);
    paintUser(avatar, user.id);
  }

  let errorTimer: ReturnType<typeof setTimeout> | undefined;
  function showError(parts: (Node | string)[]): void {
    const element = byId("composer-error", HTMLElement);
    element.replaceChildren(...parts);
    clearTimeout(errorTimer);
    if (parts.length > 0) errorTimer = setTimeout(() => element.replaceChildren(), ERROR_SHOWN_MS);
  }

  // ---- header: copy link, people drawer, rename ----

  byId("copy-link", HTMLButtonElement).addEventListener("click", async () => {
    const url = `${location.origin}/r/${room}`;
    try {
      await navigator.clipboard.writeText(url);
      toast("Link copied. Send it to anyone you want in this room.");
    } catch {
      window.prompt("Copy this link:", url);
    }
  });

  const toggle = byId("people-toggle", HTMLButtonElement);
  function setPeopleOpen(open: boolean): void {
    page.classList.toggle("people-open", open);
    toggle.setAttribute("aria-expanded", String(open));
  }
  toggle.addEventListener("click", () => setPeopleOpen(toggle.getAttribute("aria-expanded") !== "true"));
  // The drawer (narrow screens) closes like a menu: Escape, or a tap on the conversation.
  page.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && page.classList.contains("people-open")) {
      setPeopleOpen(false);
      toggle.focus();
    }
  });
  page.querySelector(".conversation")?.addEventListener("click", () => setPeopleOpen(false));

  const dialog = byId("rename-dialog", HTMLDialogElement);
  const renameInput = byId("rename-input", HTMLInputElement);
  const renameError = byId("rename-error", HTMLElement);
  function openRename(): void {
    renameInput.value = me.name;
    renameError.textContent = "";
    dialog.showModal();
    renameInput.select();
  }
  byId("rename-button", HTMLButtonElement).addEventListener("click", openRename);
  byId("rename-cancel", HTMLButtonElement).addEventListener("click", () => dialog.close());
  byId("rename-form", HTMLFormElement).addEventListener("submit", (event) => {
    const name = normalizeName(renameInput.value);
    if (name === null) {
      event.preventDefault();
      renameError.textContent = "Names are 1–32 characters, without control characters.";
      return;
    }
    saveName(name);
    if (!transport.send({ type: "rename", name })) toast("You'll get the new name when you're back online.");
  });
  dialog.addEventListener("close", () => composer.focus());

  // ---- the network and the tab ----

  window.addEventListener("online", () => transport.reconnectNow());
  window.addEventListener("offline", () => transport.goOffline());
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) transport.reconnectNow();
  });
  if (navigator.onLine) transport.start();
  else transport.goOffline();
  if (matchMedia("(pointer: fine)").matches) composer.focus();
}

function pendingState(status: ConnectionStatus, heldUntil: number | undefined): string {
  if (status.state === "open" && heldUntil !== undefined) return "Waiting: too fast";
  if (status.state === "open") return "Sending…";
  if (status.state === "offline") return "Queued: offline";
  return "Queued: waiting for connection";
}
