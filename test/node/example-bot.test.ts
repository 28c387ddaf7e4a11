/**
 * examples/bot against a real `wrangler dev`: it greets a person who joins, answers `/roll 2d6`
 * (in reply to the command, with dice that add up) and `/time`, privately when asked privately,
 * and still answers after the server restarted under it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { connect, type Room } from "@edge-chat/client";
import { startDevServer, type DevServer } from "../../scripts/dev-server.ts";
import { ExampleProcess, nextEvent, untilOpen } from "./client-support.ts";

let server: DevServer | undefined;
let bot: ExampleProcess | undefined;
let person: Room | undefined;
afterAll(async () => {
  await person?.close();
  await bot?.stop();
  await server?.stop();
});

it("greets, rolls dice, tells the time, and survives a server restart", async () => {
  server = await startDevServer();
  const { port, persistDir } = server;
  const room = "bot-example";
  const state = mkdtempSync(join(tmpdir(), "chat-bot-state-"));
  bot = new ExampleProcess("examples/bot/bot.ts", ["--url", server.url, "--room", room, "--name", "dice", "--state", state]);
  const started = await bot.line(/^bot dice \((\S+)\) is in bot-example/);
  const botId = started.match[1]!;

  person = await connect({ url: server.url, room, name: "ada" });
  const self = person;
  const fromBot = (text: RegExp) => nextEvent(self, "message", (m) => m.from.id === botId && text.test(m.text));
  // The bot saw ada join (it was there first) and greets her.
  if (!person.messages.some((m) => m.from.id === botId && /Welcome, ada!/.test(m.text))) await fromBot(/^Welcome, ada! Try \/roll 2d6/);

  const rollAnswer = fromBot(/rolled 2d6/);
  const command = await person.say("/roll 2d6");
  const rolled = await rollAnswer;
  expect(rolled.replyTo?.seq).toBe(command.seq);
  const [, a, b, total] = /^🎲 ada rolled 2d6: (\d) \+ (\d) = (\d+)$/.exec(rolled.text) ?? [];
  expect(Number(a) + Number(b)).toBe(Number(total));
  expect([Number(a), Number(b)].every((d) => d >= 1 && d <= 6)).toBe(true);

  const timeAnswer = fromBot(/^🕒 /);
  const before = Date.now();
  await person.say("/time", { to: botId });
  const time = await timeAnswer;
  expect(time.to?.id).toBe(person.self.id);
  const told = Date.parse(time.text.slice(3).replace(" UTC", "Z").replace(" ", "T"));
  expect(told).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  expect(told).toBeLessThanOrEqual(Date.now());

  // The server restarts on the same port and storage: both clients reconnect and resume.
  const down = bot.lines.length;
  await server.stop();
  server = await startDevServer({ port, persistDir });
  await bot.line(/^state: open$/, down, 60_000);
  await untilOpen(person);
  const again = fromBot(/rolled 1d20/);
  await person.say("/roll 1d20");
  expect((await again).text).toMatch(/^🎲 ada rolled 1d20: \d+ = \d+$/);
}, 180_000);
