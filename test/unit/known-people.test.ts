/** The page's people lookup: who it knows of, and whom a `/msg` line is for (src/client/view/known-people.ts). */
import { describe, expect, it } from "vitest";
import { knownPeople, personNamed } from "../../src/client/view/known-people.ts";

const ann = { id: "u-ann", name: "ann" };
const annLee = { id: "u-annlee", name: "ann lee" };
const bob = { id: "u-bob", name: "Bob" };
const wide = { id: "u-wide", name: "Ｚｏë" };

describe("knownPeople", () => {
  it("lists everyone online, then each author of a held message not among them, once each", () => {
    const renamed = { id: "u-ann", name: "ann (old name)" };
    const people = knownPeople([ann, bob], [{ from: renamed }, { from: annLee }, { from: annLee }, { from: bob }]);
    // The online entry wins over a message's older name for the same id.
    expect(people).toEqual([ann, bob, annLee]);
  });
});

describe("personNamed", () => {
  const people = [ann, annLee, bob, wide];

  it("takes the longest name the line starts with, and says how much of the line it took", () => {
    expect(personNamed(people, "ann lee see you at 5")).toEqual({ user: annLee, length: 7 });
    expect(personNamed(people, "ann see you at 5")).toEqual({ user: ann, length: 3 });
    expect(personNamed(people, "ann lee")).toEqual({ user: annLee, length: 7 });
  });

  it("compares names as the room does: case and width forms are one name", () => {
    expect(personNamed(people, "BOB hi")).toEqual({ user: bob, length: 3 });
    expect(personNamed(people, "zoë hi")).toEqual({ user: wide, length: 3 });
  });

  it("needs the name to end at whitespace or the line's end, and finds nobody otherwise", () => {
    expect(personNamed(people, "annie hi")).toBeUndefined();
    expect(personNamed(people, "bobby")).toBeUndefined();
    expect(personNamed(people, "carol hi")).toBeUndefined();
    expect(personNamed([], "ann hi")).toBeUndefined();
  });
});
