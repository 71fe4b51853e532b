import type { GroupError } from "../core/group-error.ts";
import {
  type EndedMessage,
  type HaltMessage,
  isProtocolMessage,
  PROTOCOL,
  sendFailure,
} from "./worker-protocol.ts";

/** How a worker's root ended, as `leave()` reports it to the parent thread. */
export interface WorkerEnding {
  readonly exitCode: number;
  /** Every failure, for a root that failed or whose teardown had errors. */
  readonly error?: GroupError | undefined;
}

const nothing = (): void => {};

/** Set to "1" in the environment of the threads `worker()` starts: they speak this protocol. */
export const PARENT_PORT_MARK = "UNWIND_PARENT_PORT";

/** The message `worker()` sends to ask a worker thread to stop. */
export const HALT: HaltMessage = { [PROTOCOL]: "halt" };

/**
 * The worker-thread side of `worker()` (of "unwind/process"): a worker
 * thread gets no signals, so the thread that started it asks it to stop
 * with a message on `parentPort`. `onParentHalt(listener)` calls
 * `listener` when that message arrives (`main()` treats it as SIGTERM)
 * and returns `leave(ending?)`, which removes the listener and, given how
 * the root ended, sends its failures to the parent, where they keep their
 * paths under the worker's own. Outside a worker thread it does nothing.
 *
 * Install and uninstall sit together on purpose (see effection's `main()`,
 * whose listeners were removed far from where they were added).
 *
 * Only a thread started by `worker()` (whose environment carries
 * `PARENT_PORT_MARK`) loads node:worker_threads here: it loads node:stream,
 * which a program that only imports "unwind" must not pay for. (In a
 * worker thread Node has loaded it already.)
 */
export function onParentHalt(listener: () => void): (ending?: WorkerEnding) => void {
  if (process.env[PARENT_PORT_MARK] !== "1") return nothing;
  const { isMainThread, parentPort: port } = process.getBuiltinModule("node:worker_threads");
  if (isMainThread || !port) return nothing;
  const onMessage = (message: unknown) => {
    if (isProtocolMessage(message) && message[PROTOCOL] === HALT[PROTOCOL]) listener();
  };
  // A listener keeps the port referenced; removing it lets the thread end.
  port.on("message", onMessage);
  return (ending) => {
    port.off("message", onMessage);
    if (!ending) return;
    const ended: EndedMessage = {
      [PROTOCOL]: "ended",
      root: ending.error?.path ?? "",
      exitCode: ending.exitCode,
      failures: ending.error?.failures.map(sendFailure) ?? [],
    };
    // Sent before the thread exits; Node delivers it before the worker's 'exit' event.
    port.postMessage(ended);
  };
}
