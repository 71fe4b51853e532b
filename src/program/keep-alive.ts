/**
 * Holds Node's event loop open until the returned function is called.
 *
 * An effection task waiting on `suspend()` holds no handle of its own: with
 * nothing else pending, Node would exit (code 13, an unsettled top-level
 * await) under a root that is still running, e.g. one waiting for a signal.
 */
export function keepAlive(): () => void {
  const timer = setInterval(() => {}, 2 ** 31 - 1);
  return () => clearInterval(timer);
}
