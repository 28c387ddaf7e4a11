/**
 * A bot on @edge-chat/client: it answers `/roll 2d6` and `/time`, greets people who join, and
 * keeps going through server restarts (the client reconnects and resumes by itself; commands
 * said while it was away arrive in the resume and are answered then). A command sent to it
 * privately is answered privately.
 *
 *   node examples/bot/bot.ts --url http://127.0.0.1:8787 --room lobby [--name dice]
 *                            [--state .bot-state] [--auth TOKEN | --auth-url URL]
 *
 * Anonymous by default: its token is kept in the --state folder, so a restarted bot is the same
 * user. With a signed bot token from your app (`bot: true` claim), pass it as --auth (or the
 * EDGE_CHAT_AUTH variable), or give --auth-url, a URL of your app that answers a fresh token:
 * it is fetched at each connect and again before the token expires.
 */
import { parseArgs } from "node:util";
import { connect, type AuthSource, type MessageFrame } from "@edge-chat/client";
import { answer } from "./dice.ts";
import { fileStorage } from "./file-storage.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:8787" },
    room: { type: "string", default: "lobby" },
    name: { type: "string", default: "dice" },
    state: { type: "string", default: ".bot-state" },
    auth: { type: "string" },
    "auth-url": { type: "string" },
  },
});

/** The signed identity, when one is configured. */
function signedIdentity(): AuthSource | undefined {
  const url = values["auth-url"];
  if (url) {
    return async () => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      return (await response.text()).trim();
    };
  }
  return values.auth ?? process.env.EDGE_CHAT_AUTH;
}

const auth = signedIdentity();
const room = await connect({
  url: values.url,
  room: values.room,
  name: values.name,
  storage: fileStorage(values.state),
  ...(auth ? { auth } : {}),
});
console.log(`bot ${room.self.name} (${room.self.id}) is in ${values.room}, ${room.online} online`);

room.on("state", (state) => console.log(`state: ${state.state}${state.state === "reconnecting" ? ` in ${state.delayMs} ms` : ""}`));

room.on("message", (message: MessageFrame) => {
  if (message.from.id === room.self.id) return;
  const reply = answer(message.text, message.from.name);
  if (reply === undefined) return;
  // A command said privately is answered privately.
  const to = message.to ? message.from : undefined;
  room.say(reply, { replyTo: message, ...(to ? { to } : {}) }).catch((error: { code?: string }) => {
    console.error(`could not answer ${message.seq}: ${error.code ?? String(error)}`);
  });
});

room.on("join", ({ user }) => {
  if (user.id === room.self.id || user.bot) return;
  void room.say(`Welcome, ${user.name}! Try /roll 2d6 or /time.`);
});

const stop = async () => {
  await room.close();
  process.exit(0);
};
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
