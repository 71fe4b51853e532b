import { type Operation, useScope } from "effection";
import { checkSupervisor, returnsOperation } from "../core/arguments.ts";
import { internalGroup } from "../core/group.ts";
import { type Backoff, backoffSettings } from "./backoff.ts";
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
  checkSupervisor(body, options);
  body = returnsOperation("supervisor()", "body", body);
  const { name, teardown } = options;
  const settings = supervisionSettings("supervisor()", "options", options);
  return internalGroup(
    function* (g) {
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
 * The restart settings of `options` (already checked by the rules of
 * `core/arguments.ts`) with their defaults. `caller` and `param` (such as
 * `options.restart`) name them in the one error the rules cannot see: a
 * backoff whose `maxMs` is below its `initialMs`.
 */
export function supervisionSettings(
  caller: string,
  param: string,
  options: Pick<SupervisorOptions, "strategy" | "maxRestarts" | "withinMs" | "backoff">,
): SupervisionSettings {
  const { strategy = "one-for-one", maxRestarts = 3, withinMs = 5_000 } = options;
  const backoff = backoffSettings(caller, `${param}.backoff`, options.backoff);
  return { strategy, maxRestarts, withinMs, backoff };
}
