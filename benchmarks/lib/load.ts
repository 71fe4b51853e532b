import type { ChildProcess } from "node:child_process";
import autocannon from "autocannon";

/** The address every server under load listens on. */
export const HOST = "127.0.0.1";
/** autocannon's connections in every HTTP figure. */
export const CONNECTIONS = 50;

/** A server under test: a process of its own, listening on `port`. */
export interface Server {
  /** Shape and workload, for error messages. */
  readonly name: string;
  readonly child: ChildProcess;
  readonly port: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** One autocannon run of `seconds`; throws unless every request got a 2xx `hello`. */
export async function load(server: Server, seconds: number): Promise<autocannon.Result> {
  const result = await autocannon({
    url: `http://${HOST}:${server.port}/`,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    expectBody: "hello",
  });
  const { errors, timeouts, non2xx, mismatches } = result;
  if (errors || timeouts || non2xx || mismatches || result["2xx"] === 0) {
    const counts = JSON.stringify({ errors, timeouts, non2xx, mismatches, ok: result["2xx"] });
    throw new Error(`${server.name}: autocannon run failed: ${counts}\n${server.stderr()}`);
  }
  return result;
}
