import { createConnection, type Socket } from "node:net";
import { action, type Operation, sleep } from "effection";
import { withTimeout } from "unwind";

/** How to reach MPD and how hard to try. */
export interface ConnectOptions {
  host: string;
  port: number;
  /** Each attempt may take this long (default 3000 ms). */
  connectTimeout?: number;
  /** Delay after the first failure, doubled after each one up to `maxDelay` (default 100 ms). */
  initialDelay?: number;
  maxDelay?: number;
  /** Give up after this many attempts (default: never). */
  attempts?: number;
  trace?: (line: string) => void;
}

/** One TCP connection attempt; halting it destroys the half-open socket. */
function connectOnce(host: string, port: number): Operation<Socket> {
  return action<Socket>((resolve, reject) => {
    let connected = false;
    const socket = createConnection({ host, port });
    const onConnect = () => {
      connected = true;
      resolve(socket);
    };
    const onError = (error: Error) => reject(error);
    socket.once("connect", onConnect);
    socket.once("error", onError);
    return () => {
      socket.off("connect", onConnect);
      socket.off("error", onError);
      if (!connected) socket.destroy();
    };
  });
}

/**
 * Connects with a time limit per attempt, retrying with exponential backoff
 * (asyncio's `wait_for(create_connection(...), 3)` in a loop, done so that a
 * Ctrl-C in the middle of it leaves no socket behind).
 */
export function* connectWithRetry(options: ConnectOptions): Operation<Socket> {
  const {
    host,
    port,
    connectTimeout = 3000,
    initialDelay = 100,
    maxDelay = 2000,
    attempts = Infinity,
  } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return yield* withTimeout(connectTimeout, connectOnce(host, port));
    } catch (error) {
      if (attempt >= attempts) throw error;
      const delay = Math.min(initialDelay * 2 ** (attempt - 1), maxDelay);
      const why = error instanceof Error ? error.message : String(error);
      options.trace?.(`could not connect to ${host}:${port} (${why}); trying again in ${delay} ms`);
      yield* sleep(delay);
    }
  }
}
