import assert from "node:assert/strict";
import { GroupError } from "unwind";

/** `<name>: <message>` of what `fn` throws; fails the test if it throws nothing. */
export function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof Error, `threw an Error, not ${String(error)}`);
    return `${error.name}: ${error.message}`;
  }
  assert.fail("expected an error, nothing was thrown");
}

/** What a promise (or a root) rejects with; fails the test if it resolves. */
export async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection, the promise resolved");
}

/** The `GroupError` a promise (or a root) rejects with; fails the test if it resolves or rejects with another error. */
export async function groupErrorOf(promise: PromiseLike<unknown>): Promise<GroupError> {
  const error = await rejection(promise);
  assert.ok(error instanceof GroupError, `expected a GroupError, got ${String(error)}`);
  return error;
}

/** `<name>: <message>` of the error a promise rejects with. */
export async function rejected(promise: PromiseLike<unknown>): Promise<string> {
  const error = await rejection(promise);
  assert.ok(error instanceof Error, `rejected with an Error, not ${String(error)}`);
  return `${error.name}: ${error.message}`;
}

/** Each failure of a `GroupError` as `<path> <phase> <name>: <message>`. */
export function failuresOf(error: unknown): string[] {
  assert.ok(error instanceof GroupError, `a GroupError, not ${String(error)}`);
  return error.failures.map(({ path, phase, error: cause }) => {
    const { name, message } = cause as Error;
    return `${path} ${phase} ${name}: ${message}`;
  });
}

/** Each failure of a `GroupError` as `[path, phase, message]`. */
export function failureMessages(error: GroupError): string[][] {
  return error.failures.map(({ path, phase, error: cause }) => [path, phase, (cause as Error).message]);
}

/** Each failure of a `GroupError` as `[path, phase, "<name>: <message>"]`. */
export function failureRows(error: unknown): string[][] {
  assert.ok(error instanceof GroupError, `a GroupError, not ${String(error)}`);
  return error.failures.map(({ path, phase, error: cause }) => {
    const { name, message } = cause as Error;
    return [path, phase, `${name}: ${message}`];
  });
}
