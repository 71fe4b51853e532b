import { isClusterWorker } from "./cluster-membership.ts";
import { type ProgramHost, processHost } from "./host.ts";
import { ProcessListeners } from "./process-listeners.ts";

/**
 * What a cluster's primary sends a worker to ask its `main()` to shut
 * down: one message per request, numbered from 1 for each worker, with the
 * signal the primary received (the worker's exit code follows it).
 * `handOver` when a new worker has taken its place (a reload): its servers
 * then serve what still reaches them instead of refusing it.
 */
export interface ShutdownMessage {
  readonly unwind: "shutdown";
  readonly signal: NodeJS.Signals;
  readonly request: number;
  readonly handOver?: boolean;
}

export function isShutdownMessage(message: unknown): message is ShutdownMessage {
  if (typeof message !== "object" || message === null) return false;
  const { unwind, signal, request } = message as Partial<ShutdownMessage>;
  return unwind === "shutdown" && typeof signal === "string" && Number.isInteger(request);
}

/**
 * What a worker's `main()` sends its primary once it listens for shutdown
 * messages. A message sent before that would be lost (IPC messages with no
 * listener are dropped), so the primary holds its requests until then.
 */
export interface ListeningMessage {
  readonly unwind: "listening-for-shutdown";
}

export function isListeningMessage(message: unknown): message is ListeningMessage {
  return (
    typeof message === "object" &&
    message !== null &&
    (message as Partial<ListeningMessage>).unwind === "listening-for-shutdown"
  );
}

/** `main()`'s `drainTimeout` in a cluster worker, unless given (see `MainOptions.drainTimeout`). */
export const CLUSTER_WORKER_DRAIN_TIMEOUT = 10_000;

/**
 * Installs where `main()`'s shutdown requests come from and returns the
 * uninstall: each of `signals` on this process, and, in a cluster worker,
 * the primary's shutdown messages (on `process`'s `message` event: the IPC
 * channel node:cluster opened).
 *
 * In a cluster worker it then tells the primary that it listens (see
 * `ListeningMessage`). A cluster worker hears one request twice when a signal reaches the
 * whole process group (Ctrl-C, systemd): its own copy of the signal, and
 * the message of the primary, which got it too and forwards every request
 * it gets (the only way a worker hears of a signal sent to the primary
 * alone, as Kubernetes and Docker do). The two are the same request, in
 * either order: so each source is counted, and `request` is called once
 * per request that one of them is first to bring (one step down the
 * shutdown ladder, not two).
 */
export function listenForShutdown(
  signals: readonly NodeJS.Signals[],
  request: (signal: NodeJS.Signals, handOver: boolean) => void,
  host: Pick<ProgramHost, "events" | "keepAlive"> = processHost,
): () => void {
  const listeners = new ProcessListeners(host);
  if (!isClusterWorker()) {
    for (const name of signals) listeners.on(name, (received: NodeJS.Signals) => request(received, false));
    return () => listeners.dispose();
  }
  let taken = 0;
  let fromSignals = 0;
  let fromPrimary = 0;
  const upTo = (count: number, signal: NodeJS.Signals, handOver: boolean) => {
    while (taken < count) {
      taken++;
      request(signal, handOver);
    }
  };
  for (const name of signals) {
    listeners.on(name, (received: NodeJS.Signals) => upTo(++fromSignals, received, false));
  }
  listeners.on("message", (message: unknown) => {
    if (!isShutdownMessage(message)) return;
    fromPrimary = Math.max(fromPrimary, message.request);
    upTo(fromPrimary, message.signal, message.handOver === true);
  });
  const listening: ListeningMessage = { unwind: "listening-for-shutdown" };
  // A send error means the primary is gone; node:cluster then ends this process.
  process.send?.(listening, undefined, undefined, () => {});
  return () => listeners.dispose();
}
