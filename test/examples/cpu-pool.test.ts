import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startScript } from "../helpers/fixture.ts";

describe("examples/cpu-pool", () => {
  it("computes in worker threads, gives up a job that takes too long, replaces its worker and goes on", async () => {
    const { code, stdout, stderr } = await startScript("examples/cpu-pool/main.ts").exited;
    assert.equal(code, 0, stderr);
    assert.deepEqual(stdout, [
      "fib(25) = 75025",
      "fib(26) = 121393",
      "fib(27) = 196418",
      "fib(28) = 317811",
      "fib(29) = 514229",
      "fib(30) = 832040",
      "fib(45): gave up after 200 ms; its worker was replaced",
      "the pool goes on: fib(31) = 1346269",
    ]);
    assert.equal(stderr, "");
  });
});
