/** What a Worker isolate counts of a room's free places decides which upgrades skip placement. */
import { describe, expect, it } from "vitest";
import { PLACES_HEADER } from "../../src/server/shards/addressing.ts";
import { KnownPlaces } from "../../src/server/shards/known-places.ts";

const upgraded = (places: number) => new Response(null, { status: 200, headers: { [PLACES_HEADER]: String(places) } });
/** A Response with status 101 cannot be built outside the runtime's upgrade path; pretend one. */
const as101 = (r: Response) => Object.defineProperty(r, "status", { value: 101 });

describe("known places", () => {
  it("sends nothing directly to a room it knows nothing of, and no more than the places it was told", () => {
    const places = new KnownPlaces();
    expect(places.takeDirect("a")).toBe(false);
    places.afterPlaced("a", as101(upgraded(2)), false);
    expect([places.takeDirect("a"), places.takeDirect("a"), places.takeDirect("a")]).toEqual([true, true, false]);
  });

  it("never raises its count from a direct answer, only lowers it", () => {
    const places = new KnownPlaces();
    places.afterPlaced("a", as101(upgraded(3)), false);
    places.takeDirect("a");
    places.takeDirect("a"); // one left by this isolate's count
    places.afterDirect("a", as101(upgraded(2))); // answered before the second landed
    expect([places.takeDirect("a"), places.takeDirect("a")]).toEqual([true, false]);
    places.afterPlaced("a", as101(upgraded(3)), false); // a placed answer is the room's word
    places.afterDirect("a", as101(upgraded(0))); // others filled it meanwhile
    expect(places.takeDirect("a")).toBe(false);
  });

  it("counts no place once the room sent a socket to a shard, and ignores answers that are not upgrades", () => {
    const places = new KnownPlaces();
    places.afterPlaced("a", new Response(null, { status: 307 }), true);
    expect(places.takeDirect("a")).toBe(false);
    places.afterPlaced("b", upgraded(5), false); // not a 101: tells nothing
    expect(places.takeDirect("b")).toBe(false);
  });
});
