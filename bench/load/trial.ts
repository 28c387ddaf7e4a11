/**
 * One load trial, run inside the load process: N clients join a fresh room, S of them send on a
 * steady schedule through one or more stages (one stage for a fixed-rate trial, a staircase for
 * saturation), then the trial waits for late deliveries and accounts for every message.
 */
import { LightClient, type LightClientEvents } from "../light/light-client.ts";
import { connectAll } from "./connect.ts";
import { uploadPools } from "./file-pool.ts";
import { readStamp, stampText, Tracker } from "./tracker.ts";
import type { TrialResult, TrialSpec } from "../types.ts";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs one trial; `mark` is called before and after connecting ("connecting", "connected") and at
 * each stage window's start and end ("start K", "end K"): the host samples CPU and memory then.
 */
export async function runTrial(spec: TrialSpec, mark: (label: string) => void): Promise<TrialResult> {
  const capacity = spec.stages.reduce((sum, s) => sum + Math.ceil(s.ratePerSender * s.seconds + 1) * spec.senders, spec.senders);
  const tracker = new Tracker({
    clients: spec.clients,
    senders: spec.senders,
    stages: spec.stages.length,
    capacity,
    withSeq: spec.dialect === "protocol",
  });
  let unexpectedFrames = 0;
  const unexpected = (client: number, frame: string) => {
    if (unexpectedFrames++ === 0) console.error(`bench: client ${client} got an unexpected frame: ${frame.slice(0, 300)}`);
  };
  const delivered = (client: number, text: string, seq: number | undefined, now: number) => {
    const stamp = readStamp(text);
    if (!stamp || !tracker.received(client, stamp, seq, now)) unexpected(client, text);
  };
  /** What client `i` reports: deliveries, refusals and presence are expected; anything else is not. */
  const eventsOf = (i: number): LightClientEvents => ({
    message: (message, now) => delivered(i, message.text, message.seq, now),
    echo: (text, now) => delivered(i, text, undefined, now),
    error: (error) => {
      if (error.code === "rate_limited" && error.ref !== undefined) tracker.refusedOne(Number(error.ref));
      else unexpected(i, JSON.stringify(error));
    },
    other: (frame) => {
      // Presence: join and leave, and v2's occupancy once the decoder knows it (until then it is counted apart).
      const type: string = frame.type;
      if (type !== "join" && type !== "leave" && type !== "occupancy") unexpected(i, JSON.stringify(frame));
    },
    malformed: (text) => unexpected(i, text),
    frame: () => tracker.frameReceived(),
  });
  const room = spec.room ?? `bench-${Math.random().toString(36).slice(2, 10)}`;
  const url = `${spec.socketBase}/${room}/ws`;
  const clients = Array.from(
    { length: spec.clients },
    (_, i) => new LightClient({ url, dialect: spec.dialect, name: `bench-${i}`, events: eventsOf(i), ...(spec.auths ? { auth: spec.auths[i]! } : {}) }),
  );

  try {
    // Files are uploaded before anyone connects: sockets left silent through a long upload would be closed.
    const perSender = spec.stages.reduce((sum, s) => sum + Math.ceil(s.ratePerSender * s.seconds + 1), 0);
    const senderTokens = Array.from({ length: spec.senders }, (_, sender) => clients[spec.spreadSenders ? Math.floor((sender * spec.clients) / spec.senders) : sender]!.token);
    const pools = spec.files ? await uploadPools({ ...spec.files, perSender: Math.min(spec.files.perSender, perSender) }, room, senderTokens) : undefined;
    mark("connecting");
    const connect = await connectAll(clients, spec);
    mark("connected");
    await sleep(200);
    const { windows, abortedEarly, withFiles } = await sendStages(spec, clients, tracker, mark, pools);
    await drain(tracker, spec.drainMs);
    // Stages a staircase never reached are left out.
    const stages = tracker
      .results(windows.map((w, k) => ({ ...w, ratePerSender: spec.stages[k]!.ratePerSender })))
      .slice(0, windows.length);
    const unknownFrames: Record<string, number> = {};
    for (const client of clients) for (const [type, count] of client.unknownTypes) unknownFrames[type] = (unknownFrames[type] ?? 0) + count;
    const result: TrialResult = { connect, stages, abortedEarly, unexpectedFrames, unknownFrames, windows: windows.map(({ startMs, endMs }) => ({ startMs, endMs })) };
    if (pools) result.withFiles = withFiles;
    return result;
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

interface Window {
  startMs: number;
  endMs: number;
  seconds: number;
  loadCpuShare: number;
}

/**
 * Sends through the stages back to back. Sender i sends its j-th message of a stage at
 * start + (j + i/S) / rate, so sends are spread evenly instead of bunched on timer ticks.
 */
async function sendStages(spec: TrialSpec, clients: LightClient[], tracker: Tracker, mark: (label: string) => void, pools?: string[][]) {
  const origin = performance.now();
  const withFiles = { attached: 0, without: 0 };
  const senderSeq = new Array<number>(spec.senders).fill(0);
  const windows: Window[] = [];
  let abortedEarly = false;
  let behindStages = 0;

  for (let stage = 0; stage < spec.stages.length; stage++) {
    const { ratePerSender, seconds } = spec.stages[stage]!;
    mark(`start ${stage}`);
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const end = start + seconds * 1000;
    const period = 1000 / ratePerSender;
    const sentInStage = new Array<number>(spec.senders).fill(0);
    tracker.setWindow(stage);

    for (;;) {
      const now = performance.now();
      if (now >= end) break;
      let nextDue = end;
      for (let sender = 0; sender < spec.senders; sender++) {
        let due = start + (sentInStage[sender]! + sender / spec.senders) * period;
        while (due <= now && due < end && tracker.hasRoom) {
          const index = tracker.sentOne(stage, now - due);
          const sentAt = performance.now();
          const text = stampText({ index, sender, senderSeq: senderSeq[sender]!++, sentAt }, spec.textBytes);
          const client = clients[spec.spreadSenders ? Math.floor((sender * spec.clients) / spec.senders) : sender]!;
          const file = pools?.[sender]?.pop();
          if (file !== undefined) withFiles.attached++;
          else if (pools) withFiles.without++;
          client.send(file === undefined ? { type: "say", id: String(index), text } : { type: "say", id: String(index), text, files: [file] });
          due = start + (++sentInStage[sender]! + sender / spec.senders) * period;
        }
        nextDue = Math.min(nextDue, due);
      }
      await sleep(Math.max(0, nextDue - performance.now()));
    }

    tracker.setWindow(-1);
    const actualEnd = performance.now();
    mark(`end ${stage}`);
    const cpu = process.cpuUsage(cpuBefore);
    const elapsed = actualEnd - start;
    windows.push({
      startMs: start - origin,
      endMs: actualEnd - origin,
      seconds: elapsed / 1000,
      loadCpuShare: (cpu.user + cpu.system) / 1000 / elapsed,
    });

    // A staircase stops once the server is clearly behind for two stages in a row (one could be a
    // noise spike from a neighbour): later stages would only measure the backlog.
    const backlogAllowed = ratePerSender * spec.senders * spec.clients * (spec.abortLatencyMs / 1000);
    // Or it delivered under half of what was offered: a server that stalls outright delivers
    // nothing late, so neither of the other two signs shows.
    const offered = ratePerSender * spec.senders * spec.clients * (elapsed / 1000);
    const stalled = tracker.windowDeliveries(stage) < offered / 2;
    const behind = stalled || tracker.windowMaxLatency(stage) > spec.abortLatencyMs || tracker.missing() > backlogAllowed;
    behindStages = behind ? behindStages + 1 : 0;
    if (behindStages >= 2 && stage < spec.stages.length - 1) {
      abortedEarly = true;
      break;
    }
  }
  return { windows, abortedEarly, withFiles };
}

/** Waits until every expected delivery arrived, or `drainMs` passed. */
async function drain(tracker: Tracker, drainMs: number): Promise<void> {
  const deadline = performance.now() + drainMs;
  while (tracker.missing() > 0 && performance.now() < deadline) await sleep(25);
}
