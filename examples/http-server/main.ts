// An HTTP server that shuts down gracefully: on SIGTERM it stops accepting,
// lets the requests in flight finish (up to DRAIN_TIMEOUT_MS), halts the
// rest, and only then stops the service it calls and exits 143.
//
// Each request calls a slow downstream service with the request's cancel
// signal, so a client that hangs up, or a request cut at the drain
// deadline, cancels the downstream call too instead of leaving it running.
import { suspend, until } from "effection";
import { main, onTeardown, useCancelSignal } from "unwind";
import { serve } from "unwind/http";
import { downstream } from "./downstream.ts";

const port = Number(process.env.PORT ?? 0);
const drainTimeout = Number(process.env.DRAIN_TIMEOUT_MS ?? 5000);

await main(
  function* (root) {
    // A task of the root: it is torn down after the body (and so after the
    // server below), so draining requests can still call it.
    const slowUrl = yield* root.start(downstream, { name: "downstream" });

    const server = yield* serve(
      function* (req, res) {
        const url = new URL(req.url ?? "/", "http://front");
        if (url.pathname !== "/work") {
          res.writeHead(404).end("not found\n");
          return;
        }
        // Runs however the request ends; print only the interesting ends
        // (halted: the client left, or the drain deadline passed).
        yield* onTeardown((reason) => {
          if (reason) console.log(`cleanup ${req.method} ${req.url} (${reason.kind})`);
        });
        // Aborts the moment this request is halted, cancelling the call.
        const signal = yield* useCancelSignal();
        const ms = url.searchParams.get("ms") ?? "0";
        const answer = yield* until(fetch(`${slowUrl}/slow?ms=${ms}`, { signal }));
        yield* until(answer.text());
        res.writeHead(200, { "content-type": "text/plain" });
        res.end(`done ${req.url}\n`);
      },
      {
        port,
        drainTimeout,
        readinessPath: "/ready",
        // The first moment of the drain: the server has just stopped accepting.
        onDrain: ({ inFlight }) => console.log(`draining: ${inFlight} in flight`),
      },
    );
    console.log(`listening ${server.url}`);
    yield* suspend();
  },
  // Leave the drain its time before main() gives up on the teardown.
  { teardownTimeout: drainTimeout + 5000 },
);
