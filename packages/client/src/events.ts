/**
 * The room's events: handlers by name (`on` returns the way to unsubscribe), and async iteration
 * over all of them in order. A handler that throws does not stop the client: its error is thrown
 * again on its own, where the runtime reports uncaught errors.
 */
import type {
  AuthAcceptedFrame,
  DeleteEventFrame,
  EditEventFrame,
  HistoryFrame,
  JoinFrame,
  LeaveFrame,
  MembersFrame,
  MessageFrame,
  ModerationFrame,
  OccupancyFrame,
  ReactEventFrame,
  ReadNoticeFrame,
  RenamedFrame,
  SearchFrame,
  SettingsFrame,
  TypingNoticeFrame,
  WelcomeFrame,
} from "@edge-chat/protocol";
import type { RoomError } from "@edge-chat/protocol/server-frames";
import type { PendingAction } from "./pending.ts";
import type { ConnectionStatus } from "./transport-types.ts";

/** What changed who is online: the frame that did it. */
export type PresenceChange = WelcomeFrame | JoinFrame | LeaveFrame | OccupancyFrame | RenamedFrame | MembersFrame | ModerationFrame;

/** Each event's name and what its handlers get. */
export interface RoomEvents {
  /** A new message (live, or in a resume). */
  message: MessageFrame;
  edit: EditEventFrame;
  delete: DeleteEventFrame;
  react: ReactEventFrame;
  join: JoinFrame;
  leave: LeaveFrame;
  /** `users` or `online` changed. */
  presence: PresenceChange;
  typing: TypingNoticeFrame;
  /** The read position moved on another of this user's sockets. */
  read: ReadNoticeFrame;
  moderation: ModerationFrame;
  settings: SettingsFrame;
  /** The connection's state. */
  state: ConnectionStatus;
  /** A reconnect could not resume: `messages` were replaced by the welcome's. */
  reset: WelcomeFrame;
  /** Every `error` the room sends, but the `rate_limited` answers the outbox waits out by itself. */
  error: RoomError;
  /** Every accepted hello (the first, a resume, a reset). */
  welcome: WelcomeFrame;
  rename: RenamedFrame;
  occupancy: OccupancyFrame;
  history: HistoryFrame;
  members: MembersFrame;
  search: SearchFrame;
  /** A signed token was refreshed. */
  auth: AuthAcceptedFrame;
  /** The actions not answered yet changed (queued, answered, refused). */
  outbox: readonly PendingAction[];
  /** The room refused an action (its promise was rejected too). */
  refused: { action: PendingAction; error: RoomError };
  /** The room refused the owner key; the client joined without it. */
  keyRefused: RoomError;
}

/** The name of an event. */
export type RoomEventName = keyof RoomEvents;

/** One event as async iteration yields it. */
export type RoomEvent = { [K in RoomEventName]: { type: K; data: RoomEvents[K] } }[RoomEventName];

type Handler = (data: never) => void;

/** Handlers and iterators of one room. */
export class Emitter {
  readonly #handlers = new Map<RoomEventName, Set<Handler>>();
  readonly #iterators = new Set<{ push(event: RoomEvent | null): void }>();

  /** Calls `handler` with every `name` event until the returned function is called. */
  on<K extends RoomEventName>(name: K, handler: (data: RoomEvents[K]) => void): () => void {
    let set = this.#handlers.get(name);
    if (!set) this.#handlers.set(name, (set = new Set()));
    const h = handler as Handler;
    set.add(h);
    return () => void set.delete(h);
  }

  /** Delivers an event to its handlers, then to every iterator. */
  emit<K extends RoomEventName>(name: K, data: RoomEvents[K]): void {
    for (const handler of [...(this.#handlers.get(name) ?? [])]) {
      try {
        (handler as (data: RoomEvents[K]) => void)(data);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    const event = { type: name, data } as RoomEvent;
    for (const iterator of this.#iterators) iterator.push(event);
  }

  /** Ends every iteration (the room was closed). */
  end(): void {
    for (const iterator of [...this.#iterators]) iterator.push(null);
  }

  /** Every event from now on, in order, until the room is closed or the loop breaks. */
  iterate(): AsyncIterableIterator<RoomEvent> {
    const queue: (RoomEvent | null)[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    const sink = {
      push: (event: RoomEvent | null) => {
        queue.push(event);
        wake?.();
      },
    };
    this.#iterators.add(sink);
    const finish = (): IteratorResult<RoomEvent> => {
      done = true;
      this.#iterators.delete(sink);
      wake?.();
      return { done: true, value: undefined };
    };
    const iterator: AsyncIterableIterator<RoomEvent> = {
      next: async () => {
        while (!done && queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        const event = done ? null : queue.shift()!;
        return event === null ? finish() : { done: false, value: event };
      },
      return: async () => finish(),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}
