import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { describe, it } from "node:test";
import { suspend } from "effection";
import { Channels, group, onTeardown, run, type UnwindEvent } from "unwind";

describe("lifecycle events on node:diagnostics_channel", () => {
  it("announces spawns, halt beginnings (with reasons), cleanup errors and settles, in tree order", async () => {
    const events: string[] = [];
    const listeners = Object.fromEntries(
      Object.entries(Channels).map(([name, channel]) => {
        const listener = (message: unknown) => {
          const e = message as UnwindEvent;
          const extra = e.error ? ` (${(e.error as Error).message})` : e.reason ? ` (${e.reason.kind})` : "";
          events.push(`${name} ${e.kind} ${e.path} ${e.state}${extra}`);
        };
        subscribe(channel, listener);
        return [channel, listener];
      }),
    );
    try {
      const root = run(function* (g) {
        yield* g.start(
          function* (ready) {
            yield* group(
              function* (inner) {
                inner.spawn(
                  function* () {
                    yield* onTeardown(() => {
                      throw new Error("close failed");
                    });
                    yield* suspend();
                  },
                  { name: "conn" },
                );
                ready(undefined);
                yield* suspend();
              },
              { name: "pool" },
            );
          },
          { name: "db" },
        );
        yield* suspend();
      });
      await root.halt().catch(() => {});
    } finally {
      for (const [channel, listener] of Object.entries(listeners)) unsubscribe(channel, listener);
    }
    assert.deepEqual(events, [
      "spawn group main running",
      "spawn task main/db running",
      "spawn group main/db/pool running",
      "spawn task main/db/pool/conn running",
      "haltBegin group main halting (halted)",
      "haltBegin task main/db halting (halted)",
      "haltBegin group main/db/pool halting (halted)",
      "haltBegin task main/db/pool/conn halting (halted)",
      "cleanupError task main/db/pool/conn halting (close failed)",
      "settle task main/db/pool/conn halted (halted)",
      "settle group main/db/pool failed (halted)",
      "settle task main/db halted (halted)",
      "settle group main failed (halted)",
    ]);
  });
});

describe("a group's final state", () => {
  it("is halted when a halt ended it (here root.halt()), done when it ended by itself", async () => {
    const states: string[] = [];
    const listener = (message: unknown) => {
      const e = message as UnwindEvent;
      if (e.kind === "group") states.push(`${e.path} ${e.state}`);
    };
    subscribe(Channels.settle, listener);
    try {
      await run(function* () {
        yield* group(function* () {}, { name: "quick" });
        yield* suspend();
      }).halt();
    } finally {
      unsubscribe(Channels.settle, listener);
    }
    assert.deepEqual(states, ["main/quick done", "main halted"]);
  });
});
