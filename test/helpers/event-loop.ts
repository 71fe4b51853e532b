/**
 * Lets promise callbacks and effection's reducer run: a few turns of the
 * event loop, on the real `setImmediate` (the tests that call it mock only
 * the timers).
 */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}
