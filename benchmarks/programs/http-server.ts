/**
 * A hello-world HTTP server in one of several shapes, for benchmarks/http.ts.
 *
 *   node --conditions=unwind-source --import tsx benchmarks/programs/http-server.ts <shape>
 *
 * Listens on 127.0.0.1, port 0, prints `listening <port>` when ready, answers
 * every request with 200 `hello` (text/plain) and runs until SIGTERM. Shapes:
 *
 * - `raw`: a plain `node:http` handler.
 * - `effection`: one effection task per request (`scope.run`).
 * - `unwind-task`: one unwind task per request (`root.spawn`).
 * - `unwind-group`: one unwind task running its own group per request.
 * - `unwind-group-cleanup`: as `unwind-group`, plus one `onTeardown` per
 *   request that removes a `req.on("close")` listener.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { main as effectionMain, ensure, suspend, until, useScope } from "effection";
import { group, onTeardown, main as unwindMain } from "unwind";

const HOST = "127.0.0.1";
const HEADERS = { "content-type": "text/plain" } as const;

const shapes = ["raw", "effection", "unwind-task", "unwind-group", "unwind-group-cleanup"] as const;
type Shape = (typeof shapes)[number];

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

async function raw(): Promise<void> {
  const server = await listen((_req, res) => hello(res));
  process.once("SIGTERM", () => {
    process.exitCode = 143; // like the other shapes (128 + SIGTERM)
    void close(server);
  });
}

async function effection(): Promise<void> {
  await effectionMain(function* () {
    const scope = yield* useScope();
    const server = yield* until(
      listen((_req, res) => {
        scope.run(function* () {
          hello(res);
        });
      }),
    );
    yield* ensure(() => until(close(server)));
    yield* suspend();
  });
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function unwind(shape: Exclude<Shape, "raw" | "effection">): Promise<void> {
  await unwindMain(function* (root) {
    const handlers: Record<typeof shape, Handler> = {
      "unwind-task": (_req, res) => {
        root.spawn(function* () {
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

const shape = process.argv[2];
switch (shape) {
  case "raw":
    await raw();
    break;
  case "effection":
    await effection();
    break;
  case "unwind-task":
  case "unwind-group":
  case "unwind-group-cleanup":
    await unwind(shape);
    break;
  default:
    console.error(`usage: http-server.ts <${shapes.join(" | ")}>; got ${JSON.stringify(shape)}`);
    process.exitCode = 2;
}
