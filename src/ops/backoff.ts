/**
 * How long a `supervisor()` waits before it starts a child again: the
 * k-th restart within the supervisor's `withinMs` window waits
 * `initialMs × factor^(k-1)`, at most `maxMs`, less a random share of up
 * to `jitter` of it (so that many restarting processes do not all come
 * back in the same instant). A quiet window starts again at `initialMs`.
 *
 * @example
 * ```ts
 * import { main, supervisor, type Backoff } from "unwind";
 * import { sleep } from "effection";
 *
 * // Waits 200, 400, 800, ... ms (at most 10 s, each up to 20 % shorter at random).
 * const backoff: Backoff = { initialMs: 200, maxMs: 10_000, factor: 2, jitter: 0.2 };
 * await main(function* () {
 *   yield* supervisor(function* (s) {
 *     s.spawn(function* () {
 *       yield* sleep(1_000);
 *       throw new Error("lost the connection");
 *     }, { name: "poller" });
 *   }, { backoff, maxRestarts: 10, withinMs: 60_000 });
 * });
 * ```
 */
export interface Backoff {
  /** Delay before the first restart of a window, in ms. Default 100. */
  initialMs?: number;
  /** The longest delay, in ms. Default 5 000. */
  maxMs?: number;
  /** Growth from one restart to the next (>= 1). Default 2. */
  factor?: number;
  /** Up to this share (0 to 1) of each delay is taken off at random. Default 0. */
  jitter?: number;
}

/** A `Backoff` with every default filled in and checked. */
export type BackoffSettings = Required<Backoff>;

export const DEFAULT_BACKOFF: BackoffSettings = { initialMs: 100, maxMs: 5_000, factor: 2, jitter: 0 };

/** No waiting at all: `backoff: false`. */
export const NO_BACKOFF: BackoffSettings = { initialMs: 0, maxMs: 0, factor: 1, jitter: 0 };

/** The delay before the `restart`-th restart of the current window (1 for the first). */
export function backoffDelay(backoff: BackoffSettings, restart: number): number {
  const { initialMs, maxMs, factor, jitter } = backoff;
  const delay = Math.min(maxMs, initialMs * factor ** (restart - 1));
  return Math.round(delay * (1 - jitter * Math.random()));
}

/**
 * Fills in the defaults of a backoff whose fields the rules of
 * `core/arguments.ts` have checked one by one; with the defaults known,
 * checks the one thing that relates two of them. `caller` and `param`
 * (`options.backoff`) name it in the error.
 */
export function backoffSettings(
  caller: string,
  param: string,
  backoff: Backoff | false | undefined,
): BackoffSettings {
  if (backoff === false) return NO_BACKOFF;
  if (backoff === undefined) return DEFAULT_BACKOFF;
  const settings: BackoffSettings = { ...DEFAULT_BACKOFF, ...withoutUndefined(backoff) };
  if (settings.maxMs < settings.initialMs) {
    throw new RangeError(
      `${caller}: ${param}.maxMs must be at least its initialMs (${settings.initialMs}), got ${settings.maxMs}; the delays grow from initialMs up to maxMs`,
    );
  }
  return settings;
}

/** `{ initialMs: undefined }` means the default, as everywhere else in the options. */
function withoutUndefined(backoff: Backoff): Backoff {
  return Object.fromEntries(Object.entries(backoff).filter(([, value]) => value !== undefined));
}
