import { describe, expect, it } from "vitest";
import { join, roomName } from "./support/room-client.ts";

describe("smoke", () => {
  it("a user says hello and hears their own message", async () => {
    const { socket, welcome } = await join(roomName("smoke"), { name: "alice" });
    expect(welcome.self.name).toBe("alice");
    const message = await socket.say("  hi  ");
    expect(message).toMatchObject({ seq: 1, text: "hi" });
  });
});
