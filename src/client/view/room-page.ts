/**
 * The room page: it connects a room of the client package (@edge-chat/client) to the views
 * (conversation, people, typing line, composer, banner, dialogs), with the browser's storage and
 * its online/offline and visibility events passed in. What a click on a message does is wired
 * here; how each piece looks lives in its own module.
 */
import type { EventFrame, MessageFrame, Role, User } from "@edge-chat/protocol";
import type { RoomError, RoomFrame } from "@edge-chat/protocol/server-frames";
import { isSay, openRoom, privatePartner, quoteOf, type ConnectionStatus, type PendingAction, type PendingChange, type Room } from "@edge-chat/client";
import { browserSignals } from "../browser-signals.ts";
import { forgetOwnerKey, loadName, loadOwnerKey, pageStorage, rememberRoom, saveName } from "../storage.ts";
import { Attention } from "./attention.ts";
import { Banner } from "./banner.ts";
import { Composer } from "./composer.ts";
import { confirmAction } from "./confirm.ts";
import { byId, isolate } from "./dom.ts";
import { describeError, shortReason } from "./errors.ts";
import { isPrivateRoom, roomLabel } from "./landing.ts";
import type { MessageActions } from "./message-actions.ts";
import type { RowContext } from "./message-row.ts";
import { MessageList } from "./messages.ts";
import { PresenceView } from "./presence-view.ts";
import { ReactionPicker } from "./reaction-picker.ts";
import { setUpReadMarker } from "./read-marker.ts";
import { setUpHeader, showMe } from "./room-header.ts";
import { RoomModeration } from "./room-moderation.ts";
import { setUpSearch } from "./search-box.ts";
import { toast } from "./toast.ts";
import { TypingLine } from "./typing.ts";

/** How long an error under the composer stays. */
const ERROR_SHOWN_MS = 8_000;

/** Opens room `room` at once, under the stored name or a guest name the room gives. */
export async function showRoom(room: string): Promise<void> {
  const page = byId("room", HTMLElement);
  page.hidden = false;
  rememberRoom(room);
  const label = roomLabel(room);
  byId("room-name", HTMLElement).textContent = isPrivateRoom(room) ? label : room;
  page.classList.toggle("private-room", isPrivateRoom(room));
  for (const ref of page.querySelectorAll(".room-ref")) ref.textContent = label;
  const attention = new Attention(`${label} · edge-chat`, byId("announcer", HTMLElement));
  const picker = new ReactionPicker();
  // The room object, made once its storage is read (before anything on the page can be clicked).
  let chat!: Room;

  const actions: MessageActions = {
    reply: (message) => composer.startReply(quoteOf(message), privatePartner(message, ctx.me.id)),
    react: (message) =>
      picker.open((emoji) => {
        const current = messages.get(message.seq)?.reactions?.find((r) => r.emoji === emoji);
        void chat.react(message.seq, emoji, current?.me !== true);
      }),
    toggle: (message, emoji, on) => void chat.react(message.seq, emoji, on),
    edit: (message) => composer.startEdit(message),
    remove: async (message) => {
      const own = message.from.id === ctx.me.id;
      const asked = await confirmAction("Delete this message?", own ? "It is deleted for everyone, for good." : `${message.from.name}'s message is deleted for everyone, for good.`, "Delete");
      if (asked) void chat.delete(message.seq);
    },
    moderate: (user) => moderation.moderate(user),
    jump: (seq) => messages.jumpTo(seq),
  };
  const ctx: RowContext = {
    me: { id: "", name: loadName() ?? "" },
    myRole: "member",
    roleOf: (id) => presence.roster.roleOf(id),
    get pendingLabel() {
      return pendingState(chat.state, chat.heldUntil);
    },
    actions,
  };

  const messages = new MessageList(
    {
      scroller: byId("scroller", HTMLElement),
      list: byId("messages", HTMLOListElement),
      pending: byId("pending", HTMLOListElement),
      loadOlder: byId("load-older", HTMLButtonElement),
      historyStart: byId("history-start", HTMLElement),
      jump: byId("jump-new", HTMLButtonElement),
    },
    ctx,
    () => {
      if (!chat.send({ type: "history", before: messages.oldestSeq, limit: 50 })) messages.olderFailed();
    },
    () => toast("That message is no longer in the room's history."),
  );
  const marker = setUpReadMarker({ room: () => chat, me: () => ctx.me.id, atBottom: () => messages.atBottom, jumpTo: (seq) => messages.jumpTo(seq), attention });
  setUpSearch({ search: (q, before) => chat.search(q, before === undefined ? {} : { before }), jumpTo: (seq) => messages.jumpTo(seq) });
  const presence = new PresenceView({
    send: (frame) => chat.send(frame),
    pick: (user) => {
      composer.setPrivate(user);
      header.closePeople();
      composer.focus();
    },
    pickSelf: () => header.openRename(),
    extra: (user) => moderation.personControl(user),
  });
  const moderation = new RoomModeration(
    {
      me: () => ctx.me,
      role: () => ctx.myRole,
      setRole: (role) => {
        ctx.myRole = role;
        messages.setContext(ctx);
        presence.render();
      },
      roleOf: (id) => presence.roster.roleOf(id),
      setRoleOf: (id, role) => {
        presence.roster.setRole(id, role);
        presence.render();
        messages.setContext(ctx);
      },
      send: (frame) => chat.send(frame),
      line: (parts) => messages.addSystem(...parts),
    },
    () => toast("Not connected: try again when the page is back online."),
  );
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
      mode: byId("composer-mode", HTMLElement),
      modeText: byId("composer-mode-text", HTMLElement),
      modeClear: byId("composer-mode-clear", HTMLButtonElement),
    },
    {
      submit: (text, to, replyTo) => {
        showError([]);
        void chat.say(text, { ...(to ? { to } : {}), ...(replyTo ? { replyTo } : {}) });
      },
      edit: (seq, text) => {
        showError([]);
        void chat.edit(seq, text);
      },
      lastOwn: () => messages.lastOwn(),
      // Above 100 online the room drops typing notices: do not send them at all.
      typing: () => !presence.roster.crowded && chat.send({ type: "typing" }),
      users: () => presence.roster.listed(),
    },
  );
  const banner = new Banner(
    {
      banner: byId("banner", HTMLElement),
      text: byId("banner-text", HTMLElement),
      retry: byId("banner-retry", HTMLButtonElement),
      rejoin: byId("banner-rejoin", HTMLButtonElement),
    },
    () => chat.reconnect(),
    () => chat.reconnect(),
    () => moderation.removal,
  );

  chat = await openRoom({
    url: location.origin,
    room,
    // Both read at each connect: a rename made offline is used, a refused key is not sent again.
    name: () => loadName(),
    key: () => loadOwnerKey(room),
    storage: pageStorage,
    network: browserSignals(),
  });
  let lastRefused: RoomError | undefined;
  chat.on("state", (status) => {
    banner.show(status);
    showOutbox(chat.outbox);
  });
  chat.on("welcome", (welcome) => {
    setMe(welcome.self, welcome.self.role);
    // A guest keeps their guest name across reloads, like a chosen one.
    if (loadName() === undefined) saveName(welcome.self.name);
    presence.welcome(welcome);
    moderation.welcome(welcome);
    // A resume's events come next, each as its own event.
    if (!welcome.resumed) {
      typing.clear();
      messages.reset(welcome.messages.filter((m) => m.type === "message"));
      marker.welcome();
    }
    marker.update();
  });
  // Read on another device, or a message deleted: the count follows the room's.
  chat.on("read", () => marker.update());
  for (const name of ["message", "edit", "delete", "react", "join", "leave", "occupancy", "members", "rename", "typing", "moderation", "settings", "history", "error"] as const) {
    chat.on(name, (frame) => handle(frame));
  }
  chat.on("outbox", (pending) => showOutbox(pending));
  chat.on("refused", ({ action, error }) => {
    lastRefused = error;
    refused(action, error);
  });
  chat.on("keyRefused", () => {
    // The room does not know this key (a wiped room, a key from elsewhere): join as a member.
    forgetOwnerKey(room);
    toast("The room did not accept this browser's owner key: you joined as a member.");
  });
  const header = setUpHeader(room, page, {
    rename: (name) => chat.send({ type: "rename", name }),
    current: () => ctx.me.name,
    focusComposer: () => composer.focus(),
  });

  function handle(frame: RoomFrame): void {
    switch (frame.type) {
      case "message":
      case "edit":
      case "delete":
      case "react":
        return storedEvent(frame);
      case "join":
        presence.join(frame);
        return messages.addSystem(isolate(frame.user.name), " joined");
      case "leave":
        presence.leave(frame);
        typing.stopped(frame.user.id);
        return messages.addSystem(isolate(frame.user.name), " left");
      case "occupancy":
        // No system lines here: a crowded room announces nobody by name.
        return presence.occupancy(frame.online);
      case "members":
        return presence.members(frame);
      case "rename":
        presence.rename(frame.user);
        composer.renamed(frame.user);
        if (frame.user.id === ctx.me.id) {
          setMe(frame.user, ctx.myRole);
          return messages.addSystem("You are now ", isolate(frame.user.name));
        }
        return messages.addSystem(isolate(frame.old), " is now ", isolate(frame.user.name));
      case "typing":
        return typing.typing(frame.user);
      case "moderation":
        return moderation.moderation(frame);
      case "settings":
        return moderation.settings(frame);
      case "history":
        messages.prepend(frame.messages, frame.hasMore);
        return marker.place();
      case "error":
        // A refused action was shown by `refused` already.
        if (frame === lastRefused) return;
        // History and members requests carry no id: a refusal of one comes back without `ref`.
        if (frame.code === "rate_limited" && frame.ref === undefined) {
          presence.rateLimited(frame.retryAfterMs ?? 1_000);
          messages.olderFailed();
          return;
        }
        return showError(describeError(frame));
      default:
        return;
    }
  }

  /** A stored event, live or from a resume: a message, or a change to one. */
  function storedEvent(event: EventFrame): void {
    if (event.type === "message") {
      incoming([event]);
      return marker.readIfSeen();
    }
    messages.apply(event);
    if (event.type === "delete") composer.forget(event.target);
    marker.update();
  }

  function incoming(list: MessageFrame[]): void {
    for (const message of messages.add(list)) {
      typing.stopped(message.from.id);
      if (message.from.id === ctx.me.id) {
        moderation.sent();
        continue;
      }
      const prefix = message.to ? `Private message from ${message.from.name}` : message.from.name;
      attention.incoming(`${prefix}: ${message.text}`);
    }
  }

  function showOutbox(pending: readonly PendingAction[]): void {
    messages.showPending(pending.filter(isSay), pendingState(chat.state, chat.heldUntil));
    messages.showChanges(pending.filter((a): a is PendingChange => !isSay(a)));
  }

  function refused(action: PendingAction, error: RoomError): void {
    moderation.refused(error);
    if (!isSay(action)) return showError(describeError(error));
    const again = { ...(action.to ? { to: action.to } : {}), ...(action.replyTo ? { replyTo: action.replyTo } : {}), ...(action.files ? { files: action.files } : {}) };
    messages.showFailed(action, shortReason(error), () => void chat.say(action.text, again));
    showError(describeError(error, action.to?.name));
  }

  function setMe(user: User, role: Role): void {
    ctx.me = { id: user.id, name: user.name };
    ctx.myRole = role;
    showMe(user);
    messages.setContext(ctx);
  }

  let errorTimer: ReturnType<typeof setTimeout> | undefined;
  function showError(parts: (Node | string)[]): void {
    const element = byId("composer-error", HTMLElement);
    element.replaceChildren(...parts);
    clearTimeout(errorTimer);
    if (parts.length > 0) errorTimer = setTimeout(() => element.replaceChildren(), ERROR_SHOWN_MS);
  }

  // The room started connecting (or waits for the network) before the handlers above were set.
  banner.show(chat.state);
  showOutbox(chat.outbox);
  if (matchMedia("(pointer: fine)").matches) composer.focus();
}

function pendingState(status: ConnectionStatus, heldUntil: number | undefined): string {
  if (status.state === "open" && heldUntil !== undefined) return "Waiting: too fast";
  if (status.state === "open") return "Sending…";
  if (status.state === "offline") return "Queued: offline";
  return "Queued: waiting for connection";
}
