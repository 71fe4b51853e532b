import { type Operation, useScope } from "effection";
import { group } from "../core/group.ts";
import { GroupNode } from "../core/group-node.ts";
import { type Backoff, checkBackoff } from "./backoff.ts";
import {
  type RestartStrategy,
  Supervision,
  type SupervisionSettings,
  type Supervisor,
} from "./supervision.ts";

/**
 * Options of `supervisor()`.
 *
 * @example
 * ```ts
 * import { main, supervisor, type SupervisorOptions } from "unwind";
 * import { suspend } from "effection";
 *
 * const options: SupervisorOptions = {
 *   name: "pipeline",
 *   strategy: "rest-for-one", // a stage that fails restarts the stages after it
 *   maxRestarts: 5,
 *   withinMs: 10_000,
 *   backoff: { initialMs: 200, maxMs: 5_000 },
 * };
 * await main(function* () {
 *   yield* supervisor(function* (s) {
 *     s.spawn(() => suspend(), { name: "reader" });
 *     s.spawn(() => suspend(), { name: "writer" });
 *   }, options);
 * });
 * ```
 */
export interface SupervisorOptions {
  /** A path segment for the supervisor's group, as for `group()`. */
  name?: string;
  /** Which children a restart affects. Default `one-for-one`. */
  strategy?: RestartStrategy;
  /**
   * The restart intensity: more than `maxRestarts` restarts within
   * `withinMs` and the supervisor gives up (tears everything down and
   * throws a `GroupError` with a `RestartIntensityError` and every failure
   * of the window). Default 3 within 5 000 ms (Elixir's defaults; OTP's
   * are 1 within 5 s). `maxRestarts: 0` restarts nothing.
   */
  maxRestarts?: number;
  /** The window of the restart intensity, in ms. Default 5 000. */
  withinMs?: number;
  /**
   * The wait before each restart, growing while restarts follow each other
   * (see `Backoff`). Default `{ initialMs: 100, maxMs: 5_000, factor: 2,
   * jitter: 0 }`; `false` restarts at once, as OTP does.
   */
  backoff?: Backoff | false;
  /** Order of the teardown of the children when the supervisor ends, as for `group()`. Default `serial`. */
  teardown?: "serial" | "concurrent";
}

/**
 * A group whose children are started again when they end, instead of
 * failing it: Erlang/OTP's supervisor. The body gets a handle `s`;
 * `s.spawn(op, { name, restart })` starts a supervised child.
 *
 * - Restart types: `permanent` children (the default) are restarted
 *   whenever they end, `transient` ones only after a failure, `temporary`
 *   ones never (their failure is kept and thrown at the end, as under
 *   `policy: "supervise"`).
 * - Strategies: `one-for-one` restarts the child that ended;
 *   `one-for-all` tears every other child down (newest first) and starts
 *   them all again in spawn order; `rest-for-one` does that for the
 *   children spawned after it. A restart waits until the ended child's
 *   cleanups have run, and a temporary child torn down by a sibling's
 *   restart is not started again.
 * - Backoff: each restart waits `backoff` (growing while restarts follow
 *   each other). Halting the supervisor during that wait starts nothing.
 * - Intensity: more than `maxRestarts` restarts within `withinMs` and the
 *   supervisor gives up: it tears everything down and throws a
 *   `GroupError` with a `RestartIntensityError` (the restart count) and
 *   every failure of the window, each with its task path.
 * - Restarts are announced on `node:diagnostics_channel` (`Channels.restart`,
 *   with the path, the attempt, the error and the delay), and the task tree
 *   shows each child's restart count.
 * - Join: like `group()`, the supervisor returns the body's value once the
 *   body has returned and no child is left to run or to restart (a
 *   permanent child keeps it running until it is halted).
 *
 * @example
 * ```ts
 * import { main, onTeardown, supervisor } from "unwind";
 * import { sleep, suspend } from "effection";
 *
 * await main(function* () {
 *   yield* supervisor(
 *     function* (s) {
 *       s.spawn(
 *         function* () {
 *           yield* onTeardown(() => console.log("flaky: cleaned up"));
 *           yield* sleep(1_000);
 *           throw new Error("lost the connection"); // restarted after 100 ms, 200 ms, ...
 *         },
 *         { name: "flaky" },
 *       );
 *       yield* suspend(); // until Ctrl-C, or until the restarts exceed 3 within 5 s
 *     },
 *     { name: "workers", maxRestarts: 3, withinMs: 5_000 },
 *   );
 * });
 * ```
 */
export function supervisor<T>(
  body: (s: Supervisor) => Operation<T>,
  options: SupervisorOptions = {},
): Operation<T> {
  if (typeof body !== "function") throw new TypeError("supervisor(): body must be a generator function");
  const { name, teardown } = options;
  const settings = supervisionSettings("supervisor()", options);
  return group(
    function* (g) {
      if (!(g instanceof GroupNode)) throw new Error("unwind: expected a group made by group()");
      const supervision = new Supervision(g, yield* useScope(), settings);
      const value = yield* body(supervision);
      // Like a group's join, but a child may still come back: wait until none can.
      yield* supervision.untilIdle();
      return value;
    },
    {
      ...(name === undefined ? {} : { name }),
      ...(teardown === undefined ? {} : { teardown }),
      // A child's cleanup error, or a temporary child's failure, is kept and
      // thrown at the end; it does not stop the other children.
      policy: "supervise",
    },
  );
}

/**
 * The restart settings of `options` with their defaults; a wrong value
 * fails at the call, naming `caller` (and `prefix`, such as `restart.`,
 * for options nested in another function's).
 */
export function supervisionSettings(
  caller: string,
  options: Pick<SupervisorOptions, "strategy" | "maxRestarts" | "withinMs" | "backoff">,
  prefix = "",
): SupervisionSettings {
  const { strategy = "one-for-one", maxRestarts = 3, withinMs = 5_000 } = options;
  if (strategy !== "one-for-one" && strategy !== "one-for-all" && strategy !== "rest-for-one") {
    throw new TypeError(
      `${caller}: ${prefix}strategy must be "one-for-one", "one-for-all" or "rest-for-one", got ${JSON.stringify(strategy)}`,
    );
  }
  if (!Number.isInteger(maxRestarts) || maxRestarts < 0) {
    throw new RangeError(`${caller}: ${prefix}maxRestarts must be an integer >= 0, got ${maxRestarts}`);
  }
  if (!Number.isFinite(withinMs) || withinMs <= 0) {
    throw new RangeError(
      `${caller}: ${prefix}withinMs must be a number of milliseconds > 0, got ${withinMs}`,
    );
  }
  const backoff = checkBackoff(caller, options.backoff, prefix);
  return { strategy, maxRestarts, withinMs, backoff };
}
