/** One alarm for all of an object's timed duties: each runs when due, the alarm is set to the earliest. */
import { describe, expect, it } from "vitest";
import { AlarmDuties, type Duty } from "../../src/server/objects/alarm-duties.ts";

/** The alarm part of a Durable Object's storage, counting its writes. */
function fakeStorage() {
  const storage = {
    at: null as number | null,
    writes: 0,
    getAlarm: async () => storage.at,
    setAlarm: async (at: number) => void ((storage.at = at), storage.writes++),
    deleteAlarm: async () => void ((storage.at = null), storage.writes++),
  };
  return storage;
}

function duty(name: string, next: number | undefined, ran: string[], fail = false): Duty & { at: number | undefined } {
  const d = {
    name,
    at: next,
    next: () => d.at,
    run: () => {
      ran.push(name);
      if (fail) throw new Error(`${name} broke`);
    },
  };
  return d;
}

describe("an object's alarm duties", () => {
  it("runs the duties that are due, each once, and sets the alarm to the earliest that is not", async () => {
    const storage = fakeStorage();
    const errors: string[] = [];
    const duties = new AlarmDuties(storage as unknown as DurableObjectStorage, (what) => void errors.push(what));
    const ran: string[] = [];
    const sweep = duty("sweep", 1_000, ran);
    const prune = duty("prune", 5_000, ran);
    const broken = duty("broken", 1_000, ran, true);
    for (const d of [broken, sweep, prune]) duties.add(d);
    sweep.at = 1_000;
    await duties.fire(1_000);
    expect(ran).toEqual(["broken", "sweep"]);
    expect(errors).toEqual(["duty broken failed"]);
    // The sweep is due again at 30,000, the prune at 5,000; the broken duty now has nothing to do.
    sweep.at = 30_000;
    broken.at = undefined;
    await duties.fire(1_000);
    expect(storage.at).toBe(5_000);
  });

  it("never fires sooner than a second after the last time, and deletes the alarm when no duty has work", async () => {
    const storage = fakeStorage();
    const duties = new AlarmDuties(storage as unknown as DurableObjectStorage, () => {});
    const ran: string[] = [];
    const busy = duty("busy", 0, ran);
    duties.add(busy);
    busy.run = () => void (busy.at = 10);
    await duties.fire(10);
    expect(storage.at).toBe(1_010);
    busy.at = undefined;
    await duties.fire(1_010);
    expect(storage.at).toBeNull();
  });

  it("moves the alarm only earlier when a duty becomes due sooner, reading storage once", async () => {
    const storage = fakeStorage();
    storage.at = 50_000;
    const duties = new AlarmDuties(storage as unknown as DurableObjectStorage, () => {});
    await duties.dueBy(60_000);
    expect(storage.writes).toBe(0);
    await duties.dueBy(20_000);
    await duties.dueBy(30_000);
    expect(storage.at).toBe(20_000);
    expect(storage.writes).toBe(1);
  });
});
