/** Making a room object: `openRoom()` (connecting, not waiting) and `connect()` (resolves after the first welcome). */
import { ROOM_NAME } from "@edge-chat/protocol";
import type { RoomError } from "@edge-chat/protocol/server-frames";
import { localError } from "./requests.ts";
import type { ConnectOptions } from "./options.ts";
import { RECONNECT_DEFAULTS } from "./reconnect-policy.ts";
import { Room } from "./room.ts";
import { globalWebSocket, roomSocketUrl, webSocketOpener } from "./socket.ts";
import { OutboxWriter, memoryStorage, storedOutbox, storedToken } from "./storage.ts";

/** How many messages `room.messages` holds unless told otherwise. */
export const DEFAULT_MAX_MESSAGES = 1_000;

/**
 * Opens a room and starts connecting, without waiting for the welcome: for apps that show the
 * connection's state from the start (listen for `state` and `welcome`). Resolves once the
 * token and outbox are read from storage.
 */
export async function openRoom(options: ConnectOptions): Promise<Room> {
  if (!ROOM_NAME.test(options.room)) throw new TypeError(`not a room name: ${JSON.stringify(options.room)} (1–64 of a-z 0-9 _ -)`);
  const Constructor = options.WebSocket ?? globalWebSocket();
  if (!Constructor) throw new TypeError("this runtime has no global WebSocket: pass one as the WebSocket option");
  const storage = options.storage ?? memoryStorage();
  // With a signed identity (given, or Access's) the anonymous token is never sent, so none is made.
  const signed = options.auth !== undefined || options.access === true;
  const token = signed ? "" : (options.token ?? (await storedToken(storage)));
  const outbox = await storedOutbox(storage, options.room);
  const { name, key } = options;
  return new Room({
    transport: {
      url: roomSocketUrl(options.url, options.room),
      token,
      ...(options.auth !== undefined ? { auth: options.auth } : options.access === true ? { access: true } : {}),
      name: typeof name === "function" ? name : () => name,
      key: typeof key === "function" ? key : () => key,
      openSocket: webSocketOpener(Constructor),
      policy: { ...RECONNECT_DEFAULTS, ...options.policy },
      outbox,
    },
    writer: new OutboxWriter(storage, options.room),
    network: options.network,
    maxMessages: options.maxMessages ?? DEFAULT_MAX_MESSAGES,
  });
}

/**
 * Connects to a room; resolves after the first welcome. Rejects with the room's error when it
 * will not take this identity (banned, unauthorized, forbidden) or removes it first, and with
 * `closed` when `signal` aborts; a server that cannot be reached is retried until then.
 */
export async function connect(options: ConnectOptions): Promise<Room> {
  const room = await openRoom(options);
  try {
    await new Promise<void>((resolve, reject) => {
      let lastError: RoomError | undefined;
      const stops = [
        room.on("error", (error) => (lastError = error)),
        room.on("welcome", () => finish(resolve)),
        room.on("state", (state) => {
          const refused = state.state === "closed" || state.state === "banned";
          if (refused) finish(() => reject(lastError ?? localError("closed", `the room connection is ${state.state}`)));
        }),
      ];
      const finish = (then: () => void) => {
        for (const stop of stops) stop();
        then();
      };
      if (options.signal?.aborted) finish(() => reject(localError("closed", "connect was aborted")));
      options.signal?.addEventListener("abort", () => finish(() => reject(localError("closed", "connect was aborted"))));
    });
  } catch (error) {
    await room.close();
    throw error;
  }
  return room;
}
