/**
 * The Worker's entry (wrangler.toml's `main`): the fetch handler, which only routes and guards
 * (worker/), and the Durable Object classes the bindings name (objects/).
 */
export { default } from "./worker/router.ts";
export { Room } from "./objects/room.ts";
export { RoomShard } from "./objects/shard.ts";
