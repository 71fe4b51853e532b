// Every function that takes options checks them against rules, and rejects
// a key it does not take (a misspelt option would otherwise do nothing). So
// the rules must list exactly the keys of the options' type: pinned here at
// compile time (`npm run typecheck`, and the test at the bottom checks this
// file again under `npm test`), and at run time for the message.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { expectTypeOf } from "expect-type";
import {
  type GroupOptions,
  group,
  type MainOptions,
  type RunOptions,
  run,
  type ShieldOptions,
  type SpawnOptions,
  type SupervisorOptions,
} from "unwind";
import type { AdoptServerOptions, RequestOptions, ServeOptions } from "unwind/http";
import type { ClusterOptions, ExecOptions, WorkerOptions, WorkerPoolOptions } from "unwind/process";
import type { TestMainOptions, TestRunOptions } from "unwind/testing";
import type {
  groupRules,
  mainRules,
  restartRules,
  runRules,
  shieldRules,
  spawnRules,
  supervisedRules,
  supervisorRules,
} from "../../src/core/arguments.ts";
import type { adoptRules } from "../../src/http/adopt-server.ts";
import type { requestRules, serveRules } from "../../src/http/request-options.ts";
import type { SupervisedSpawnOptions } from "../../src/ops/supervision.ts";
import type { clusterRules, execRules, poolRules, workerRules } from "../../src/process/arguments.ts";
import type { testMainRules, testRunRules } from "../../src/testing/arguments.ts";
import { typeCheck } from "../helpers/type-check.ts";

type Keys<T> = keyof { [K in keyof T]-?: T[K] };

expectTypeOf<keyof typeof groupRules>().toEqualTypeOf<Keys<GroupOptions>>();
expectTypeOf<keyof typeof spawnRules>().toEqualTypeOf<Keys<SpawnOptions>>();
expectTypeOf<keyof typeof shieldRules>().toEqualTypeOf<Keys<ShieldOptions>>();
expectTypeOf<keyof typeof runRules>().toEqualTypeOf<Keys<RunOptions>>();
expectTypeOf<keyof typeof mainRules>().toEqualTypeOf<Keys<MainOptions>>();
expectTypeOf<keyof typeof supervisorRules>().toEqualTypeOf<Keys<SupervisorOptions>>();
expectTypeOf<keyof typeof supervisedRules>().toEqualTypeOf<Keys<SupervisedSpawnOptions>>();
expectTypeOf<keyof typeof restartRules>().toEqualTypeOf<Keys<NonNullable<ClusterOptions["restart"]>>>();
expectTypeOf<keyof typeof requestRules>().toEqualTypeOf<Keys<RequestOptions>>();
expectTypeOf<keyof typeof serveRules>().toEqualTypeOf<Keys<ServeOptions>>();
expectTypeOf<keyof typeof adoptRules>().toEqualTypeOf<Keys<AdoptServerOptions>>();
expectTypeOf<keyof typeof execRules>().toEqualTypeOf<Keys<ExecOptions>>();
expectTypeOf<keyof typeof workerRules>().toEqualTypeOf<Keys<WorkerOptions>>();
expectTypeOf<keyof typeof poolRules>().toEqualTypeOf<Keys<WorkerPoolOptions>>();
expectTypeOf<keyof typeof clusterRules>().toEqualTypeOf<Keys<ClusterOptions>>();
// The testing kit also names options of run() and main() it does not take, to say why.
expectTypeOf<Exclude<keyof typeof testRunRules, "signals">>().toEqualTypeOf<Keys<TestRunOptions>>();
expectTypeOf<Exclude<keyof typeof testMainRules, "exit" | "inspect">>().toEqualTypeOf<
  Keys<TestMainOptions>
>();

describe("options a function does not take", () => {
  it("are rejected at the call, with the closest option when it looks misspelt", async () => {
    const typo: object = { teardwon: "concurrent" };
    await assert.rejects(
      async () =>
        await run(function* () {
          yield* group(function* () {}, typo as GroupOptions);
        }),
      (error: Error) =>
        error.message.includes(
          "group(): options.teardwon is not an option of group(); did you mean teardown? (it takes name, teardown,",
        ),
    );
    const misspelt: object = { colour: true };
    assert.throws(
      () => run(function* () {}, misspelt as RunOptions),
      new TypeError(
        "run(): options.colour is not an option of run(); (it takes name, teardown, policy, onError, limit, timeout, deadline, signal, signals)",
      ),
    );
  });

  it("the rules list exactly the keys of each options type (this file type-checks)", () => {
    const file = fileURLToPath(import.meta.url);
    const problems = typeCheck([
      { origin: "option-rules.test.ts", code: readFileSync(file, "utf8"), path: file },
    ]);
    assert.equal(problems.join("\n"), "");
  });
});
