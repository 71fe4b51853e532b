// Preloaded (--import) into a shutdown program by benchmarks/profile.ts:
// starts V8's CPU profiler when SIGTERM arrives and writes the profile (the
// same .cpuprofile format as `node --cpu-prof`) when the process exits, so
// the profile holds the shutdown only, not the start-up and spawning.
// The file goes to $UNWIND_PROFILE_OUT; the interval is
// $UNWIND_PROFILE_INTERVAL_US (default 500 µs).
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";

const out = process.env["UNWIND_PROFILE_OUT"];
if (!out) throw new Error("profile-after-sigterm: set UNWIND_PROFILE_OUT to the .cpuprofile file to write");
const interval = Number(process.env["UNWIND_PROFILE_INTERVAL_US"] ?? 500);

const session = new Session();
session.connect();
session.post("Profiler.enable");
session.post("Profiler.setSamplingInterval", { interval });
// Registered before the program's own listeners, so it runs first. (Starting
// the profiler takes tens of ms; the summary leaves the inspector's own
// frames out.)
process.once("SIGTERM", () => session.post("Profiler.start"));
// A session on the main thread answers synchronously, so this still works
// inside process.exit().
process.on("exit", () => {
  session.post("Profiler.stop", (error, result) => {
    if (error) throw error;
    writeFileSync(out, JSON.stringify(result.profile));
  });
});
