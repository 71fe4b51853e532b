import { subscribe } from "node:diagnostics_channel";
import { fstatSync } from "node:fs";
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

/**
 * The connections that servers of this process accepted and that are still
 * open, from Node's `net.server.socket` channel. Tracked from the moment
 * "unwind/testing" is loaded, so that a server a test started before its
 * run (in a `before()` hook) is known too.
 */
const accepted = new Map<Socket, string>();
subscribe("net.server.socket", (message) => {
  const { socket } = message as { socket: Socket };
  // As Node names its handle; taken now, while the connection has its address.
  accepted.set(socket, typeof socket.remotePort === "number" ? "TCPSocketWrap" : "PipeWrap");
  socket.once("close", () => accepted.delete(socket));
});

/**
 * What real work is in flight, for the virtual clock's driver: the clock
 * must not jump while a socket, a child process or a file read is on its
 * way (its answer comes in real time, and a jump would fire the timeouts
 * around it before it could arrive).
 *
 * Node reports the handles and requests that keep its event loop alive
 * (`process.getActiveResourcesInfo()`, by kind only: a connection of the
 * program and the test runner's pipe look alike, so what is not in flight
 * is taken out by counting). Not in flight: the passive kinds above,
 * standard output and error, and the connections accepted by servers of
 * this process: an idle keep-alive connection on the server's side waits
 * like the server does, while the client waiting for its answer holds the
 * clock (when it runs in this process or in a child process of it).
 * Everything else holds it, whoever opened it and when: a connection that
 * stays referenced while idle (most clients unref() theirs, as `fetch` and
 * `http.Agent` do) makes time run at real speed. Work that Node does not
 * report (its thread pool, worker threads) holds the clock only through
 * the promise work unwind tracks (see core/promise-work.ts).
 */
export class RealWork {
  /** The handles of standard output and error (made here if they were not yet), by kind. */
  private readonly stdio = countKinds(
    [process.stdout, process.stderr].flatMap((stream, index) => {
      const kind = stdioKind(stream, index + 1);
      return kind ? [kind] : [];
    }),
  );

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
    for (const [kind, count] of this.stdio) open.set(kind, (open.get(kind) ?? 0) - count);
    for (const kind of accepted.values()) open.set(kind, (open.get(kind) ?? 0) - 1);
    for (const [kind, count] of open) if (count > 0 && !PASSIVE.has(kind)) return "real";
    return undefined;
  }
}

/** How Node lists the handle of `process.stdout` or `process.stderr`: a file has none. */
function stdioKind(stream: NodeJS.WriteStream, fd: number): string | undefined {
  if (stream.isTTY) return "TTYWrap";
  try {
    const stat = fstatSync(fd);
    return stat.isFIFO() || stat.isSocket() ? "PipeWrap" : undefined;
  } catch {
    return undefined; // closed
  }
}

function countKinds(resources: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of resources) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}
