/**
 * The load process: a child of `npm run bench` (pinned to its own core where possible) that runs
 * the trials the host asks for over the IPC channel and answers with their figures. Keeping the
 * clients out of the host's process means the host can sample CPU while the load runs.
 */
import { measureJoins } from "./join.ts";
import { runTrial } from "./trial.ts";
import type { HostMessage, LoadMessage } from "../types.ts";

function reply(message: LoadMessage): void {
  process.send?.(message);
}

process.on("message", (message: HostMessage) => {
  if (message.kind === "exit") {
    process.disconnect();
    return;
  }
  const { id } = message;
  const work =
    message.kind === "trial"
      ? runTrial(message.spec, (label) => reply({ kind: "mark", id, label })).then((result) =>
          reply({ kind: "trial-result", id, result }),
        )
      : measureJoins(message.spec).then((result) => reply({ kind: "join-result", id, result }));
  work.catch((err: unknown) => reply({ kind: "error", id, message: err instanceof Error ? err.message : String(err) }));
});

// The host going away (finished or killed) ends the load process too.
process.on("disconnect", () => process.exit(0));
