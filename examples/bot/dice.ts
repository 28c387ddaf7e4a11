/** The bot's answers, without any connection: dice rolls and the time. */

/** Most dice and sides a roll may ask for (a bigger roll is refused, not truncated). */
export const DICE_MAX = { count: 100, sides: 1000 } as const;

/** A roll like `2d6`: `count` dice of `sides` sides each. */
export interface Roll {
  count: number;
  sides: number;
}

/** Reads `NdM` (`d6` meaning `1d6`); undefined when it is not one, or too big. */
export function parseRoll(text: string): Roll | undefined {
  const match = /^(\d{0,3})d(\d{1,4})$/i.exec(text.trim());
  if (!match) return undefined;
  const count = match[1] === "" ? 1 : Number(match[1]);
  const sides = Number(match[2]);
  if (count < 1 || count > DICE_MAX.count || sides < 2 || sides > DICE_MAX.sides) return undefined;
  return { count, sides };
}

/** Rolls the dice with `random` (in [0, 1)). */
export function roll({ count, sides }: Roll, random: () => number = Math.random): number[] {
  return Array.from({ length: count }, () => 1 + Math.floor(random() * sides));
}

/** What the bot says to a command, or undefined when the text is not one of its commands. */
export function answer(text: string, who: string, now: Date = new Date(), random: () => number = Math.random): string | undefined {
  const [command, ...rest] = text.trim().split(/\s+/);
  if (command === "/time") return `🕒 ${now.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC")}`;
  if (command !== "/roll") return undefined;
  const asked = rest.join("") || "1d6";
  const dice = parseRoll(asked);
  if (!dice) return `${who}: I roll dice like /roll 2d6 (up to ${DICE_MAX.count} dice of 2–${DICE_MAX.sides} sides).`;
  const faces = roll(dice, random);
  const total = faces.reduce((a, b) => a + b, 0);
  return `🎲 ${who} rolled ${dice.count}d${dice.sides}: ${faces.join(" + ")} = ${total}`;
}
