import type { TaskFailure, TaskPhase } from "../core/types.ts";

/**
 * The messages unwind sends between a worker thread and the thread that
 * started it (`worker()` / `workerPool()` of "unwind/process"). Each one is
 * a plain object with this key, so that a worker's own messages, which
 * never carry it, pass by untouched.
 */
export const PROTOCOL = "@unwind";

/** Parent to worker: stop, as a process would on SIGTERM. */
export interface HaltMessage {
  readonly [PROTOCOL]: "halt";
}

/** Worker to parent, just before a worker's `main()` exits: how it ended, with every failure. */
export interface EndedMessage {
  readonly [PROTOCOL]: "ended";
  /** The worker's root path, which the parent replaces with the worker's own path. */
  readonly root: string;
  readonly exitCode: number;
  readonly failures: readonly SentFailure[];
}

/** A `TaskFailure` on its way between threads. */
export interface SentFailure {
  readonly path: string;
  readonly phase: TaskPhase;
  readonly error: SentError;
}

/**
 * An error on its way between threads. Structured cloning would keep only
 * the built-in error classes (a `ProcessError` arrives as a plain `Error`
 * named "Error"), so unwind sends the parts a reader needs and rebuilds an
 * `Error` with the same name, message, stack, code and causes.
 */
export type SentError =
  | {
      readonly name: string;
      readonly message: string;
      readonly stack?: string;
      readonly code?: string | number;
      readonly cause?: SentError;
    }
  | { readonly thrown: string };

export function isProtocolMessage(message: unknown): message is { readonly [PROTOCOL]: string } {
  return typeof message === "object" && message !== null && PROTOCOL in message;
}

export function sendFailure(failure: TaskFailure): SentFailure {
  return { path: failure.path, phase: failure.phase, error: sendError(failure.error) };
}

export function sendError(error: unknown, depth = 0): SentError {
  if (!(error instanceof Error)) return { thrown: String(error) };
  const { code } = error as { code?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(error.stack === undefined ? {} : { stack: error.stack }),
    ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
    ...(error.cause !== undefined && depth < 8 ? { cause: sendError(error.cause, depth + 1) } : {}),
  };
}

export function receiveError(sent: SentError): Error {
  if ("thrown" in sent) return new Error(sent.thrown);
  const error = new Error(sent.message, sent.cause ? { cause: receiveError(sent.cause) } : undefined);
  error.name = sent.name;
  if (sent.stack !== undefined) error.stack = sent.stack;
  if (sent.code !== undefined) Object.assign(error, { code: sent.code });
  return error;
}

/**
 * A failure from a worker, with its path moved under `base`, the worker's
 * path in the parent: the worker's root (`main/compute` in the worker)
 * becomes the worker (`main/pool/worker-2/compute` in the parent).
 */
export function receiveFailure(sent: SentFailure, root: string, base: string): TaskFailure {
  const { path } = sent;
  let rebased: string;
  if (path === root || path === "") rebased = base;
  else if (root !== "" && path.startsWith(`${root}/`)) rebased = base + path.slice(root.length);
  else rebased = `${base}/${path}`;
  return { path: rebased, phase: sent.phase, error: receiveError(sent.error) };
}
