import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { Socket } from "node:net";
import { pendingPromiseWork } from "../core/promise-work.ts";

/**
 * Resources that wait for something to happen rather than for an answer:
 * they never hold the virtual clock. Timers (Node's own, made outside the
 * clock), a server listening for connections, a file watcher. Pending
 * immediates are steps still to run (see `RealWork.look`).
 */
const PASSIVE = new Set([
  "Timeout",
  "Immediate",
  "TCPServerWrap",
  "PipeServerWrap",
  "FSEventWrap",
  "StatWatcher",
]);

/** A connection accepted by a server of this process, as Node names its handle. */
const kindOfAccepted = (socket: Socket) =>
  typeof socket.remotePort === "number" ? "TCPSocketWrap" : "PipeWrap";

/**
 * What real work is in flight, for the virtual clock's driver: the clock
 * must not jump while a socket, a child process or a file read is on its
 * way (its answer comes in real time, and a jump would fire the timeouts
 * around it before it could arrive).
 *
 * Node reports the handles and requests that keep its event loop alive
 * (`process.getActiveResourcesInfo()`, by kind only). What counts as in
 * flight is what appeared since the clock was installed (the test runner's
 * own pipes are there before, and stay), less the passive kinds above, and
 * less the connections accepted by servers of this process: an idle
 * keep-alive connection on the server's side waits like the server does,
 * while the client waiting for its answer holds the clock (when it runs in
 * this process or in a child process of it). Work that Node does not
 * report (its thread pool, worker threads) holds the clock only through
 * the promise work unwind tracks (see core/promise-work.ts).
 */
export class RealWork {
  private readonly before = countKinds(process.getActiveResourcesInfo());
  private readonly accepted = new Set<Socket>();

  constructor() {
    subscribe("net.server.socket", this.onAccepted);
  }

  private readonly onAccepted = (message: unknown): void => {
    const { socket } = message as { socket: Socket };
    this.accepted.add(socket);
    socket.once("close", () => this.accepted.delete(socket));
  };

  /**
   * `step`: callbacks are queued to run (pending immediates): not yet
   * waiting. `real`: something real is in flight. `undefined`: everything
   * waits on the clock, or on nothing at all.
   */
  look(): "step" | "real" | undefined {
    const resources = process.getActiveResourcesInfo();
    if (resources.includes("Immediate")) return "step";
    if (pendingPromiseWork() > 0) return "real";
    const open = countKinds(resources);
    for (const [kind, count] of this.before) open.set(kind, (open.get(kind) ?? 0) - count);
    for (const socket of this.accepted) {
      const kind = kindOfAccepted(socket);
      open.set(kind, (open.get(kind) ?? 0) - 1);
    }
    for (const [kind, count] of open) if (count > 0 && !PASSIVE.has(kind)) return "real";
    return undefined;
  }

  dispose(): void {
    unsubscribe("net.server.socket", this.onAccepted);
    this.accepted.clear();
  }
}

function countKinds(resources: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of resources) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}
