/**
 * The room page: it connects a room of the client package (@edge-chat/client) to the views (the
 * room's timeline and the private conversations, people, typing line, composer, restriction
 * panel, banner, dialogs), with the browser's storage and its online/offline and visibility
 * events passed in. What a click on a message does is wired here; how each piece looks lives in
 * its own module.
 */
import type { EventFrame, MessageFrame, Role, User } from "@edge-chat/protocol";
import type { RoomError, RoomFrame } from "@edge-chat/protocol/server-frames";
import { isSay, openRoom, privatePartner, quoteOf, type ConnectionStatus, type PendingAction, type PendingChange, type Room } from "@edge-chat/client";
import { browserSignals } from "../browser-signals.ts";
import type { RoomIdentity } from "../sign-in/identity.ts";
import { forgetOwnerKey, loadName, loadOwnerKey, loadRecentEmoji, pageStorage, rememberEmoji, rememberRoom, saveName } from "../storage.ts";
import { openActionSheet } from "./action-sheet.ts";
import { IntegrationsDialog } from "./integrations-dialog.ts";
import { Attention } from "./attention.ts";
import { Banner } from "./banner.ts";
import { Attachments } from "./attachments.ts";
import { Composer } from "./composer.ts";
import { Lightbox } from "./lightbox.ts";
import { confirmAction } from "./confirm.ts";
import { Conversations } from "./conversations.ts";
import { byId, isolate } from "./dom.ts";
import { describeError, shortReason } from "./errors.ts";
import { knownPeople, personNamed } from "./known-people.ts";
import { isPrivateRoom, roomLabel } from "./landing.ts";
import { mentionsMe } from "./mentions.ts";
import { messageActions, type MessageActions } from "./message-actions.ts";
import type { RowContext } from "./message-row.ts";
import { MessageList } from "./messages.ts";
import { askName } from "./name-prompt.ts";
import { PresenceLines } from "./presence-lines.ts";
import { PresenceView } from "./presence-view.ts";
import { ReactionPicker } from "./reaction-picker.ts";
import { plainText } from "./rich-text.ts";
import { setUpReadMarker } from "./read-marker.ts";
import { setUpHeader, showMe } from "./room-header.ts";
import { RoomModeration } from "./room-moderation.ts";
import { setUpSearch } from "./search-box.ts";
import { ownerCredential, signInOptions, uploadCredential } from "./room-identity.ts";
import { toast } from "./toast.ts";
import { TypingLine } from "./typing.ts";

/** The largest upload until a welcome says the room's own (FILE_MAX_BYTES's default). */
const DEFAULT_FILE_BYTES = 10_485_760;

/** How long an error under the composer stays. */
const ERROR_SHOWN_MS = 8_000;
/** Reactions offered one click away before the person has reacted with any. */
const DEFAULT_RECENT = ["👍", "❤️", "😂"];
/** Refusals the restriction panel explains: the message goes back into the box instead of failing. */
const RESTRICTIONS = new Set(["muted", "slow_mode", "locked"]);

/**
 * Opens room `room` as `identity`, under the stored name, or after asking a visitor from a link for
 * one (a signed identity's name comes from its token, or the room gives a guest name).
 */
export async function showRoom(room: string, identity: RoomIdentity): Promise<void> {
  const page = byId("room", HTMLElement);
  page.hidden = false;
  rememberRoom(room);
  const label = roomLabel(room);
  byId("room-name", HTMLElement).textContent = isPrivateRoom(room) ? label : room;
  page.classList.toggle("private-room", isPrivateRoom(room));
  for (const ref of page.querySelectorAll(".room-ref")) ref.textContent = label;
  // A private room's label ends in "…": no full stop after it.
  byId("history-start", HTMLElement).textContent = `This is the start of ${label}${label.endsWith("…") ? "" : "."}`;
  if (loadName() === undefined && identity.kind !== "signed") await askName();
  const attention = new Attention(room, `${label} · edge-chat`, {
    announcer: byId("announcer", HTMLElement),
    button: byId("notify-button", HTMLButtonElement),
    label: byId("notify-label", HTMLElement),
  });
  const picker = new ReactionPicker();
  // The room object, made once its storage is read (before anything on the page can be clicked).
  let chat!: Room;
  const recent = () => [...loadRecentEmoji(), ...DEFAULT_RECENT.filter((e) => !loadRecentEmoji().includes(e))].slice(0, 3);
  const react = (message: MessageFrame, emoji: string, on: boolean) => {
    if (moderation.removed) return;
    if (on) rememberEmoji(emoji);
    void chat.react(message.seq, emoji, on);
  };

  const actions: MessageActions = {
    reply: (message) => composer.startReply(quoteOf(message), privatePartner(message, ctx.me.id)),
    react: (message) =>
      picker.open((emoji) => {
        const current = messages.get(message.seq)?.reactions?.find((r) => r.emoji === emoji);
        react(message, emoji, current?.me !== true);
      }),
    toggle: (message, emoji, on) => react(message, emoji, on),
    edit: (message) => composer.startEdit(message),
    remove: async (message) => {
      const own = message.from.id === ctx.me.id;
      const asked = await confirmAction("Delete this message?", own ? "It is deleted for everyone, for good." : `${message.from.name}'s message is deleted for everyone, for good.`, "Delete");
      if (asked && !moderation.removed) void chat.delete(message.seq);
    },
    moderate: (user) => moderation.moderate(user),
    jump: (seq) => messages.jumpTo(seq),
    recent,
    sheet: (message) => {
      const current = messages.get(message.seq) ?? message;
      const mine = new Set((current.reactions ?? []).filter((r) => r.me).map((r) => r.emoji));
      const who = (current.reactions ?? []).map((r) => `${r.emoji} ${[...(r.me ? ["you"] : []), ...messages.reactors(message.seq, r.emoji)].join(", ") || r.count}`);
      const list = current.deleted ? [] : messageActions(current, ctx.me, ctx.myRole, actions);
      openActionSheet(current, list, current.deleted ? [] : recent(), (emoji) => react(current, emoji, !mine.has(emoji)), who.length > 0 ? `Reactions: ${who.join(" · ")}` : "");
    },
    picture: (files, index, opener) => lightbox.open(files, index, opener),
  };
  const lightbox = new Lightbox();
  const ctx: RowContext = {
    me: { id: "", name: loadName() ?? "" },
    myRole: "member",
    roleOf: (id) => presence.roster.roleOf(id),
    get pendingLabel() {
      return pendingState(chat.state, chat.heldUntil);
    },
    reactors: (seq, emoji) => messages.reactors(seq, emoji),
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
  const presenceLines = new PresenceLines({ append: (row) => messages.appendRow(row), isLast: (row) => messages.isLast(row) });
  const conversations = new Conversations(
    room,
    { section: byId("conversations", HTMLElement), list: byId("conversations-list", HTMLUListElement), badge: byId("private-unread", HTMLElement) },
    (partner) => showConversation(partner),
    () => undefined,
  );
  const marker = setUpReadMarker({ room: () => chat, me: () => ctx.me.id, atBottom: () => messages.atBottom, show: showMessage, reveal: (seq, then) => messages.reveal(seq, then), attention });
  setUpSearch({ search: (q, before) => chat.search(q, before === undefined ? {} : { before }), show: showMessage });
  const presence = new PresenceView({
    send: (frame) => chat.send(frame),
    pick: (user) => moderation.moderate(user),
    pickSelf: () => header.openRename(),
    extra: (user) => moderation.personControl(user),
  });
  // The owner's hooks and webhooks, from Settings (with the owner key this browser keeps, or a signed owner's token).
  const integrations = new IntegrationsDialog(room, () => ownerCredential(identity, room, ctx.myRole));
  const moderation = new RoomModeration(
    {
      me: () => ctx.me,
      role: () => ctx.myRole,
      setRole: (role) => {
        ctx.myRole = role;
        messages.setContext(ctx);
        presence.render();
        integrations.update();
      },
      roleOf: (id) => presence.roster.roleOf(id),
      setRoleOf: (id, role) => {
        presence.roster.setRole(id, role);
        presence.render();
        messages.setContext(ctx);
      },
      send: (frame) => chat.send(frame),
      line: (parts) => messages.addSystem(...parts),
      privateMessage: (user) => {
        header.closePeople();
        conversations.open(user);
      },
      mention: (user) => {
        header.closePeople();
        conversations.back();
        composer.insert(`@${user.name} `);
      },
      rejoin: () => chat.reconnect(),
    },
    () => toast("Not connected: try again when the page is back online."),
  );
  const typing = new TypingLine(byId("typing", HTMLElement));
  let fileBytes = DEFAULT_FILE_BYTES;
  const attachments = new Attachments(
    {
      dropZone: byId("composer-area", HTMLElement),
      input: byId("composer-input", HTMLTextAreaElement),
      button: byId("attach", HTMLButtonElement),
      picker: byId("attach-picker", HTMLInputElement),
      tray: byId("attachments", HTMLUListElement),
      status: byId("attachments-status", HTMLElement),
    },
    {
      room,
      credential: () => uploadCredential(identity),
      maxBytes: () => fileBytes,
      changed: () => composer.refresh(),
    },
  );
  const composer = new Composer(
    {
      form: byId("composer", HTMLFormElement),
      input: byId("composer-input", HTMLTextAreaElement),
      send: byId("send", HTMLButtonElement),
      counter: byId("counter", HTMLElement),
      chip: byId("private-chip", HTMLElement),
      chipName: byId("private-name", HTMLElement),
      mentions: byId("mention-list", HTMLUListElement),
      mode: byId("composer-mode", HTMLElement),
      modeText: byId("composer-mode-text", HTMLElement),
      modeClear: byId("composer-mode-clear", HTMLButtonElement),
    },
    {
      submit: (text, to, replyTo) => {
        showError([]);
        if (moderation.removed) return false;
        const options = { ...(to ? { to } : {}), ...(replyTo ? { replyTo } : {}) };
        if (attachments.count === 0) {
          void chat.say(text, options);
          return true;
        }
        // With pictures, the message waits for their uploads, then goes to the outbox.
        return attachments.submit({ text, send: (files) => void chat.say(text, files.length > 0 ? { ...options, files } : options) });
      },
      edit: (seq, text) => {
        showError([]);
        if (!moderation.removed) void chat.edit(seq, text);
      },
      lastOwn: () => messages.lastOwn(),
      // Above 100 online the room drops typing notices: do not send them at all.
      typing: () => !presence.roster.crowded && chat.send({ type: "typing" }),
      people: { online: () => presence.roster.listed().filter((u) => u.id !== ctx.me.id), others: () => people().filter((u) => u.id !== ctx.me.id) },
      privateMessage: (rest) => {
        const found = personNamed(people(), rest);
        if (!found) return "Nobody of that name is in the room or its recent messages: /msg name text";
        const text = rest.slice(found.length).trim();
        if (text === "") return `Write the message after the name: /msg ${found.user.name} text`;
        conversations.open(found.user);
        if (!moderation.removed) void chat.say(text, { to: found.user });
        return null;
      },
      problem: (text) => showError(text === null ? [] : [text]),
      pictures: () => attachments.count,
    },
  );
  const banner = new Banner({ banner: byId("banner", HTMLElement), text: byId("banner-text", HTMLElement), retry: byId("banner-retry", HTMLButtonElement) }, () => chat.reconnect());
  byId("view-back", HTMLButtonElement).addEventListener("click", () => conversations.back());

  chat = await openRoom({
    url: location.origin,
    room,
    // Both read at each connect: a rename made offline is used, a refused key is not sent again.
    name: () => loadName(),
    key: () => loadOwnerKey(room),
    storage: pageStorage,
    network: browserSignals(),
    ...signInOptions(identity),
  });
  let lastRefused: RoomError | undefined;
  chat.on("state", (status) => {
    banner.show(status);
    showOutbox(chat.outbox);
    // A kick or a ban: the panel says so, and the page no longer shows this person as online.
    if (status.state === "closed" && status.reason === "removed") moderation.closedOut();
    if (status.state === "banned") moderation.closedOut(status.until);
    page.classList.toggle("removed", moderation.removed);
    if (moderation.removed) presence.out();
  });
  chat.on("welcome", (welcome) => {
    setMe(welcome.self, welcome.self.role);
    fileBytes = welcome.limits.fileBytes ?? DEFAULT_FILE_BYTES;
    // A guest keeps their guest name across reloads, like a chosen one.
    if (loadName() === undefined) saveName(welcome.self.name);
    presence.welcome(welcome);
    moderation.welcome(welcome);
    page.classList.remove("removed");
    // A resume's events come next, each as its own event.
    if (!welcome.resumed) {
      typing.clear();
      presenceLines.reset();
      const list = welcome.messages.filter((m) => m.type === "message");
      messages.reset(list);
      conversations.add(list, ctx.me.id, !document.hidden);
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
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) conversations.seen();
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
        return presenceLines.joined(frame.user);
      case "leave":
        presence.leave(frame);
        typing.stopped(frame.user.id);
        return presenceLines.left(frame.user);
      case "occupancy":
        // No lines here: a crowded room announces nobody by name.
        return presence.occupancy(frame.online);
      case "members":
        return presence.members(frame);
      case "rename":
        presence.rename(frame.user);
        conversations.renamed(frame.user);
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
        conversations.add(frame.messages, ctx.me.id, !document.hidden);
        messages.prepend(frame.messages, frame.hasMore);
        return marker.place();
      case "error":
        // A refused action was shown by `refused` already.
        if (frame === lastRefused) return;
        // History and members requests carry no id: a refusal of one comes back without `ref`.
        if (frame.code === "rate_limited" && frame.ref === undefined) {
          presence.rateLimited(frame.retryAfterMs ?? 1_000);
          messages.olderLimited(frame.retryAfterMs ?? 1_000);
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
    const added = messages.add(list);
    conversations.add(added, ctx.me.id, !document.hidden);
    for (const message of added) {
      typing.stopped(message.from.id);
      if (message.from.id === ctx.me.id) {
        moderation.sent();
        continue;
      }
      const partner = privatePartner(message, ctx.me.id);
      const text = plainText(message.text);
      attention.incoming({
        from: partner ? `Private message from ${message.from.name}` : message.from.name,
        text,
        forMe: partner !== undefined || mentionsMe(message.text, ctx.me.name),
        title: partner ? `Private message from ${message.from.name}` : `${message.from.name} in ${label}`,
        open: () => (partner ? conversations.open(partner) : conversations.back()),
      });
    }
  }

  /** Shows the room's timeline, or a private conversation (the composer says which before anything is sent). */
  function showConversation(partner: User | undefined): void {
    byId("view-bar", HTMLElement).hidden = partner === undefined;
    byId("view-name", HTMLElement).textContent = partner?.name ?? "";
    page.classList.toggle("in-private", partner !== undefined);
    messages.setView(partner?.id ?? "");
    composer.setPrivate(partner);
    typing.clear();
    if (matchMedia("(pointer: fine)").matches) composer.focus();
  }

  /** Shows a message in its own timeline (its private conversation, or the room's) and jumps to it. */
  function showMessage(message: MessageFrame): void {
    const partner = privatePartner(message, ctx.me.id);
    if (partner) conversations.open(partner);
    else conversations.back();
    messages.jumpTo(message.seq);
  }

  /** Everyone the page knows of: people online, and the authors of the messages it holds. */
  function people(): User[] {
    return knownPeople(presence.roster.listed(), messages.loaded());
  }

  function showOutbox(pending: readonly PendingAction[]): void {
    messages.showPending(pending.filter(isSay), pendingState(chat.state, chat.heldUntil));
    messages.showChanges(pending.filter((a): a is PendingChange => !isSay(a)));
  }

  function refused(action: PendingAction, error: RoomError): void {
    moderation.refused(error);
    if (!isSay(action)) return showError(describeError(error));
    // Muted, slowed or locked out: the panel explains it, and the text goes back into the box (nothing is queued).
    if (RESTRICTIONS.has(error.code) && composer.restore(action.text)) return;
    const again = { ...(action.to ? { to: action.to } : {}), ...(action.replyTo ? { replyTo: action.replyTo } : {}), ...(action.files ? { files: action.files } : {}) };
    messages.showFailed(action, shortReason(error), () => !moderation.removed && void chat.say(action.text, again));
    showError(describeError(error, action.to?.name));
  }

  function setMe(user: User, role: Role): void {
    ctx.me = { id: user.id, name: user.name };
    ctx.myRole = role;
    showMe(user);
    messages.setContext(ctx);
    integrations.update();
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
