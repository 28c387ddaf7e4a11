/**
 * examples/terminal against a real `wrangler dev`, driven through its stdin and stdout: it shows
 * messages with times and names, sends what is typed, `/to name text` privately, prints older
 * messages on `/history`, and reconnects after a server restart with a status line saying so.
 */
import { afterAll, expect, it } from "vitest";
import { connect, type Room } from "@edge-chat/client";
import { startDevServer, type DevServer } from "../../scripts/dev-server.ts";
import { ExampleProcess, nextEvent, untilOpen } from "./client-support.ts";

let server: DevServer | undefined;
let terminal: ExampleProcess | undefined;
let other: Room | undefined;
afterAll(async () => {
  await other?.close();
  await terminal?.stop();
  await server?.stop();
});

it("chats from a terminal: names and times, private messages, history, and a reconnect after a restart", async () => {
  server = await startDevServer();
  const { port, persistDir } = server;
  const room = "terminal-example";
  other = await connect({ url: server.url, room, name: "ada" });
  for (let n = 1; n <= 25; n++) await other.say(`old message ${n}`);

  terminal = new ExampleProcess("examples/terminal/terminal.ts", ["--url", server.url, "--room", room, "--name", "grace"]);
  const ready = await terminal.line(/^\* connected to terminal-example as grace \(2 online\)/);
  // The latest messages, with their times and senders (times in UTC here).
  expect(terminal.lines.slice(0, ready.index)).toContain(terminal.lines.find((l) => /^\[\d\d:\d\d\] ada: old message 25$/.test(l)));

  const hello = await other.say("hello grace");
  const clock = new Date(hello.ts).toISOString().slice(11, 16);
  await terminal.line(new RegExp(`^\\[${clock}\\] ada: hello grace$`), ready.index);

  const typed = nextEvent(other, "message", (m) => m.text === "hi ada");
  terminal.type("hi ada");
  expect((await typed).from.name).toBe("grace");
  await terminal.line(/^\[\d\d:\d\d\] grace \(you\): hi ada$/);

  const secret = nextEvent(other, "message", (m) => m.text === "just for you");
  terminal.type("/to ADA just for you");
  const privately = await secret;
  expect(privately.to?.id).toBe(other.self.id);
  await terminal.line(/^\[\d\d:\d\d\] grace \(you\) → ada \(private\): just for you$/);

  terminal.type("/to nobody hello");
  await terminal.line(/^\* nobody called nobody is here$/);

  // The welcome showed the latest 50 messages, of which the terminal printed 20: older ones on request.
  const mark = terminal.lines.length;
  terminal.type("/history");
  await terminal.line(/^\* earlier:$/, mark);
  await terminal.line(/^\[\d\d:\d\d\] ada: old message 1$/, mark);

  const down = terminal.lines.length;
  await server.stop();
  await terminal.line(/^\* connection lost: retrying in \d+\.\d s$/, down, 60_000);
  server = await startDevServer({ port, persistDir });
  await terminal.line(/^\* connected to terminal-example as grace/, down, 60_000);
  await untilOpen(other);
  const after = nextEvent(other, "message", (m) => m.text === "back again");
  terminal.type("back again");
  expect((await after).from.name).toBe("grace");
}, 180_000);
