// The service the front server calls: a plain node:http server with one
// endpoint, `/slow?ms=N`, that answers after N ms. It says when a caller
// hung up before the answer: that is how we see cancellation cross the wire.
import { once } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Operation, suspend, until } from "effection";
import { onTeardown } from "unwind";

/** Runs the downstream server until halted; `ready(url)` once it listens. */
export function* downstream(ready: (url: string) => void): Operation<void> {
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://downstream");
    if (url.pathname !== "/slow") {
      res.writeHead(404).end("not found\n");
      return;
    }
    const ms = Number(url.searchParams.get("ms") ?? 0);
    const timer = setTimeout(() => res.end(`slept ${ms} ms\n`), ms);
    open.add(res);
    // 'close' before the response finished: the caller went away. Stop the
    // work too, or it would go on for nobody.
    res.on("close", () => {
      open.delete(res);
      if (res.writableFinished) return;
      clearTimeout(timer);
      console.log(`downstream: ${req.url} cancelled by the client`);
    });
  });
  server.listen(0, "127.0.0.1");
  yield* until(once(server, "listening"));
  // Runs after the front server has drained (it was started first, so it
  // stops last). close() stops accepting and closes idle connections; the
  // requests still open get a moment to end (their callers were cancelled
  // already, so their sockets are closing), then are cut.
  yield* onTeardown(async () => {
    server.close();
    const cut = setTimeout(() => server.closeAllConnections(), 1000);
    await Promise.all([...open].map((res) => once(res, "close")));
    clearTimeout(cut);
    console.log("downstream stopped");
  });
  ready(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  yield* suspend();
}
