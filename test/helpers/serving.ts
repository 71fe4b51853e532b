import assert from "node:assert/strict";
import { suspend } from "effection";
import { type Root, run } from "unwind";
import { type HttpServer, type RequestHandler, type ServeOptions, serve } from "unwind/http";
import { type Drainable, useDrainables } from "./drainables.ts";

/** A server that `serveInRoot()` started. */
export interface Serving {
  readonly root: Root<void>;
  readonly server: HttpServer;
  /** The server as main() sees it. */
  readonly drainable: Drainable;
}

/** Runs `serve(handler, options)` in a root of its own; resolves once it listens. */
export async function serveInRoot(handler: RequestHandler, options: ServeOptions = {}): Promise<Serving> {
  let listening!: (running: Omit<Serving, "root">) => void;
  const ready = new Promise<Omit<Serving, "root">>((resolve) => {
    listening = resolve;
  });
  const root = run(function* () {
    const server = yield* serve(handler, options);
    const [drainable] = yield* useDrainables();
    assert.ok(drainable, "the server is registered with its root");
    listening({ server, drainable });
    yield* suspend();
  });
  const started = await Promise.race([ready, root.then(() => Promise.reject(new Error("root ended")))]);
  return { root, ...started };
}
