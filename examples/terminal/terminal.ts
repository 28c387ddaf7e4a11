/**
 * A terminal chat on @edge-chat/client and node:readline: messages with names and times,
 * `/to name text` for a private message, `/history` for older messages, `/who`, `/name`, `/quit`.
 * It reconnects by itself and says so on a status line.
 *
 *   node examples/terminal/terminal.ts --url http://127.0.0.1:8787 --room lobby --name ada
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { nameKey } from "@edge-chat/protocol/names";
import { connect, type MessageFrame } from "@edge-chat/client";
import { messageLine, statusLine } from "./format.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:8787" },
    room: { type: "string", default: "lobby" },
    name: { type: "string" },
  },
});
const roomName = values.room;

const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdout.isTTY === true });
/** Writes a line above what is being typed. */
function show(line: string): void {
  process.stdout.write(`${line}\n`);
  if (process.stdout.isTTY) rl.prompt(true);
}

show(`* connecting to ${roomName}…`);
const room = await connect({ url: values.url, room: roomName, ...(values.name ? { name: values.name } : {}) });
const print = (message: MessageFrame) => show(messageLine(message, room.self));
const connected = () => show(`* connected to ${roomName} as ${room.self.name} (${room.online} online) · /to name text, /history, /who, /name, /quit`);
for (const message of room.messages.slice(-20)) print(message);
connected();

room.on("state", (state) => {
  const line = statusLine(state, roomName);
  if (line) show(line);
});
room.on("welcome", () => connected());
room.on("reset", () => {
  show("* away too long to catch up: the latest messages");
  for (const message of room.messages.slice(-20)) print(message);
  oldestShown = room.messages.at(-20)?.seq ?? Infinity;
});
room.on("message", print);
room.on("edit", (edit) => show(`* ${edit.user.name} edited: ${edit.text}`));
room.on("delete", (del) => show(`* ${del.user.name} deleted a message`));
room.on("join", ({ user }) => show(`* ${user.name} joined`));
room.on("leave", ({ user }) => show(`* ${user.name} left`));
room.on("rename", ({ user, old }) => show(`* ${old} is now ${user.name}`));
room.on("moderation", (m) => show(`* ${m.user.name}: ${m.action} by ${m.by.name}${m.reason ? ` (${m.reason})` : ""}`));
room.on("error", (error) => show(`! ${error.message}`));

/** The oldest seq printed so far: `/history` goes on from there. */
let oldestShown = room.messages.at(-20)?.seq ?? Infinity;

/** The page of messages before the oldest printed: from those held, else from the room. */
async function history(): Promise<void> {
  let page = room.messages.filter((m) => m.seq < oldestShown).slice(-20);
  if (page.length === 0) {
    const before = room.messages[0]?.seq;
    page = (await room.history(before === undefined ? { limit: 20 } : { before, limit: 20 })).messages;
  }
  if (page.length === 0) return show("* no older messages");
  oldestShown = Math.min(oldestShown, page[0]!.seq);
  show("* earlier:");
  for (const message of page) print(message);
}

/** One line the person typed. */
async function typed(line: string): Promise<void> {
  const text = line.trim();
  if (text === "") return;
  if (text === "/quit") return quit();
  if (text === "/history") return history();
  if (text === "/who") return show(`* ${room.online} online: ${room.users.map((u) => u.name).join(", ")}`);
  if (text.startsWith("/name ")) {
    const me = await room.rename(text.slice(6));
    return show(`* you are ${me.name}`);
  }
  if (text.startsWith("/to ")) {
    const [, name = "", ...words] = text.split(/\s+/);
    const user = room.users.find((u) => nameKey(u.name) === nameKey(name));
    if (!user) return show(`* nobody called ${name} is here`);
    await room.say(words.join(" "), { to: user });
    return;
  }
  await room.say(text);
}

rl.on("line", (line) => {
  typed(line).catch((error: { message?: string }) => show(`! ${error.message ?? String(error)}`));
});
rl.on("close", () => void quit());

async function quit(): Promise<void> {
  await room.close();
  process.exit(0);
}
