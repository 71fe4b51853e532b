import { isClusterWorker } from "./cluster-membership.ts";

/**
 * What a worker's `main()` sends its primary right before it exits, and
 * the primary's answer. node:cluster's primary hands each connection to a
 * worker in a message; one it sent before it learnt that the worker stopped
 * listening is still on its way, and a worker that exits before reading it
 * loses it for good: the primary keeps the socket open and the client waits
 * forever. The channel keeps its order, so once the answer is back every
 * such message has been read, and node:cluster has given the connection
 * back to the primary for another worker.
 */
export interface ExitingMessage {
  readonly unwind: "exiting" | "exit-ok";
}

export function isExitingMessage(message: unknown, kind: ExitingMessage["unwind"]): boolean {
  return (
    typeof message === "object" && message !== null && (message as Partial<ExitingMessage>).unwind === kind
  );
}

/** How long a worker waits for the primary's answer (a primary that is gone or stuck gives none). */
const EXIT_ANSWER_MS = 1_000;

/**
 * In a worker of `cluster()`: resolves once the primary has answered the
 * worker's `exiting` message (see `ExitingMessage`), or after a second
 * without an answer. Elsewhere: at once.
 */
export function leaveCluster(): Promise<void> {
  if (!isClusterWorker() || !process.connected) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      process.off("message", answered);
      process.off("disconnect", done);
      resolve();
    };
    const answered = (message: unknown) => {
      if (isExitingMessage(message, "exit-ok")) done();
    };
    const timer = setTimeout(done, EXIT_ANSWER_MS);
    process.on("message", answered);
    process.on("disconnect", done);
    const exiting: ExitingMessage = { unwind: "exiting" };
    process.send?.(exiting, undefined, undefined, (error: Error | null) => {
      if (error) done();
    });
  });
}
