/**
 * A hello-world HTTP server in one of several shapes, for benchmarks/http.ts.
 *
 *   node --conditions=unwind-source --import tsx benchmarks/programs/http-server.ts <shape> [<workload>]
 *
 * Listens on 127.0.0.1, port 0, prints `listening <port>` when ready, answers
 * every request with 200 `hello` (text/plain) and runs until SIGTERM.
 *
 * Workloads (default `hello`):
 *
 * - `hello`: the handler answers at once, without waiting.
 * - `await`: the handler first waits for one already-resolved promise, then
 *   answers (raw: `Promise.resolve().then(...)`; the others:
 *   `yield* until(Promise.resolve())`). Only `raw`, `effection`,
 *   `unwind-task` and `unwind-serve` have it.
 *
 * Shapes:
 *
 * - `raw`: a plain `node:http` handler.
 * - `effection`: one effection task per request (`scope.run`).
 * - `unwind-task`: one unwind task per request (`root.spawn`).
 * - `unwind-group`: one unwind task running its own group per request.
 * - `unwind-group-cleanup`: as `unwind-group`, plus one `onTeardown` per
 *   request that removes a `req.on("close")` listener.
 * - `unwind-serve`: unwind's own `serve()` under `main()` (a request scope,
 *   with its halt reason, cancel signal, client-disconnect watch and drain,
 *   for each request whose handler waits; with the `hello` workload the
 *   handler never waits).
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { main as effectionMain, ensure, suspend, until, useScope } from "effection";
import { group, onTeardown, main as unwindMain } from "unwind";
import { serve } from "unwind/http";

const HOST = "127.0.0.1";
const HEADERS = { "content-type": "text/plain" } as const;

const shapes = [
  "raw",
  "effection",
  "unwind-task",
  "unwind-group",
  "unwind-group-cleanup",
  "unwind-serve",
] as const;
type Shape = (typeof shapes)[number];
const workloads = ["hello", "await"] as const;
type Workload = (typeof workloads)[number];
/** The shapes that have the `await` workload. */
const awaitShapes: readonly Shape[] = ["raw", "effection", "unwind-task", "unwind-serve"];

function hello(res: ServerResponse): void {
  res.writeHead(200, HEADERS);
  res.end("hello");
}

/** Starts listening and prints the port; resolves once the server is up. */
async function listen(handler: RequestListener) {
  const server = createServer(handler);
  server.listen(0, HOST);
  await once(server, "listening");
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  return server;
}

/** Closes the server and its keep-alive connections; resolves once closed. */
function close(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function raw(workload: Workload): Promise<void> {
  const handler: RequestListener =
    workload === "hello"
      ? (_req, res) => hello(res)
      : (_req, res) => {
          void Promise.resolve().then(() => hello(res));
        };
  const server = await listen(handler);
  process.once("SIGTERM", () => {
    process.exitCode = 143; // like the other shapes (128 + SIGTERM)
    void close(server);
  });
}

async function effection(workload: Workload): Promise<void> {
  await effectionMain(function* () {
    const scope = yield* useScope();
    const handler: RequestListener =
      workload === "hello"
        ? (_req, res) => {
            scope.run(function* () {
              hello(res);
            });
          }
        : (_req, res) => {
            scope.run(function* () {
              yield* until(Promise.resolve());
              hello(res);
            });
          };
    const server = yield* until(listen(handler));
    yield* ensure(() => until(close(server)));
    yield* suspend();
  });
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function unwind(
  shape: Exclude<Shape, "raw" | "effection" | "unwind-serve">,
  workload: Workload,
): Promise<void> {
  await unwindMain(function* (root) {
    const handlers: Record<typeof shape, Handler> = {
      "unwind-task":
        workload === "hello"
          ? (_req, res) => {
              root.spawn(function* () {
                hello(res);
              });
            }
          : (_req, res) => {
              root.spawn(function* () {
                yield* until(Promise.resolve());
                hello(res);
              });
            },
      "unwind-group": (_req, res) => {
        root.spawn(() =>
          group(function* () {
            hello(res);
          }),
        );
      },
      "unwind-group-cleanup": (req, res) => {
        root.spawn(() =>
          group(function* () {
            const onClose = () => {};
            req.on("close", onClose);
            yield* onTeardown(() => {
              req.off("close", onClose);
            });
            hello(res);
          }),
        );
      },
    };
    const server = yield* until(listen(handlers[shape]));
    yield* onTeardown(() => close(server));
    yield* suspend();
  });
}

/** main() exits 143 on SIGTERM by itself, after the server's drain. */
async function unwindServe(workload: Workload): Promise<void> {
  await unwindMain(function* () {
    const server = yield* serve(
      workload === "hello"
        ? function* (_req, res) {
            hello(res);
          }
        : function* (_req, res) {
            yield* until(Promise.resolve());
            hello(res);
          },
      { port: 0, host: HOST },
    );
    process.stdout.write(`listening ${server.port}\n`);
    yield* suspend();
  });
}

function isWorkload(value: string): value is Workload {
  return (workloads as readonly string[]).includes(value);
}

const usage = `usage: http-server.ts <${shapes.join(" | ")}> [${workloads.join(" | ")}]`;
const shape = process.argv[2];
const workload = process.argv[3] ?? "hello";
if (!isWorkload(workload)) {
  console.error(`${usage}; got workload ${JSON.stringify(workload)}`);
  process.exit(2);
}
if (workload === "await" && !(awaitShapes as readonly (string | undefined)[]).includes(shape)) {
  console.error(`the await workload exists only for ${awaitShapes.join(", ")}; got ${JSON.stringify(shape)}`);
  process.exit(2);
}
switch (shape) {
  case "raw":
    await raw(workload);
    break;
  case "effection":
    await effection(workload);
    break;
  case "unwind-task":
  case "unwind-group":
  case "unwind-group-cleanup":
    await unwind(shape, workload);
    break;
  case "unwind-serve":
    await unwindServe(workload);
    break;
  default:
    console.error(`${usage}; got ${JSON.stringify(shape)}`);
    process.exitCode = 2;
}
