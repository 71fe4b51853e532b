// What the tests of argument checks share: a way to write the mistakes that
// TypeScript would reject, and the parts of the messages that many
// functions repeat word for word.

/** A value TypeScript would reject, as the mistake is written in JavaScript. */
export const loose = (value: unknown) => value as never;

/** What a message says when a function wants something that makes an operation. */
export const FACTORY = "must be a function that returns an operation (such as a generator function)";

/** The fix for an async function or a Promise where an operation is wanted. */
export const PROMISES =
  'tasks run operations, not promises: wrap the promise work with abortable((signal) => work(signal)) from "unwind", or use until(promise) from effection';

/** The longest delay a timer takes, as a message says it. */
export const TIMER_LIMIT = "2147483647 ms (about 24.8 days, the longest delay a Node timer takes)";
