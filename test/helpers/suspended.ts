import { type Operation, suspend } from "effection";
import { onTeardown } from "unwind";

/**
 * Waits until it is halted; its asynchronous cleanup records
 * `<name> cleaned up at <Date.now()>` (the virtual time under testRun()).
 */
export function* suspended(events: string[], name: string): Operation<void> {
  yield* onTeardown(async () => {
    await Promise.resolve();
    events.push(`${name} cleaned up at ${Date.now()}`);
  });
  yield* suspend();
}
