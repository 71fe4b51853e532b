/**
 * Promise work that unwind itself waits on, counted while it is pending.
 *
 * The virtual clock of "unwind/testing" jumps to its next timer only when
 * nothing real is in flight. It sees the sockets, child processes and file
 * system requests Node reports (`process.getActiveResourcesInfo()`), but
 * not everything: Node's thread pool (zlib, crypto), a worker thread, a
 * native addon. Work unwind waits on through a promise (such as
 * `abortable()`) is counted here so that the clock waits for it too; while
 * it is pending the clock runs at real speed instead of jumping.
 *
 * One counter for the whole process; costs an increment and a `then` per
 * promise.
 */
let pending = 0;

/** Counts `promise` as in flight until it settles. Returns it unchanged. */
export function trackPromiseWork<T>(promise: PromiseLike<T>): PromiseLike<T> {
  pending++;
  const settled = () => {
    pending--;
  };
  // The derived promise handles a rejection (returns), so it never adds an unhandled one.
  promise.then(settled, settled);
  return promise;
}

/**
 * The same count for code that already handles its promise's settling (as
 * `abortable()` does): `promiseWorkStarted()` when the work starts,
 * `promiseWorkSettled()` exactly once when it settles. No allocation.
 */
export function promiseWorkStarted(): void {
  pending++;
}

/** See `promiseWorkStarted()`. */
export function promiseWorkSettled(): void {
  pending--;
}

/** How many tracked promises are pending. */
export function pendingPromiseWork(): number {
  return pending;
}
