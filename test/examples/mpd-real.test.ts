// The MPD example against a real MPD (Debian's mpd, started here with a
// throwaway config on a free loopback port). Skipped, with the reason, on a
// machine without MPD; .ci/run installs it and sets UNWIND_REQUIRE_MPD=1,
// which turns a missing MPD into a failure.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startScript } from "../helpers/fixture.ts";
import { type RealMpd, realMpdMissing, startRealMpd } from "../helpers/real-mpd.ts";

const missing = realMpdMissing();

describe("the MPD example against a real MPD", () => {
  let mpd: RealMpd;
  before(async () => {
    if (!missing) mpd = await startRealMpd();
  });
  after(async () => {
    await mpd?.stop();
  });

  it("on SIGINT while idle: cancels the idle, says close (MPD's log shows it), exits 130", {
    skip: missing,
  }, async () => {
    const program = startScript("examples/mpd/main.ts", { MPD_HOST: mpd.host, MPD_PORT: String(mpd.port) });
    await program.waitFor(
      "Watching for changes. Press t (or send SIGUSR2) for the task tree, Ctrl-C to quit.",
    );
    // Wait until MPD itself is idling for this client.
    for (let i = 0; i < 200 && !mpd.log().includes('process command "idle player mixer"'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    program.child.kill("SIGINT");
    const { code, stdout, stderr } = await program.exited;
    assert.equal(code, 130, stderr);
    assert.equal(stderr, "");
    assert.ok(stdout.some((line) => /connected to 127\.0\.0\.1:\d+, MPD 0\.\d+\.\d+/.test(line)));
    assert.ok(stdout.some((line) => line.endsWith("MPD answered the cancelled idle")));
    const log = mpd.log().split("\n");
    const at = (text: string) => log.findIndex((line) => line.includes(text));
    const idle = at('process command "idle player mixer"');
    const close = at('process command "close"');
    assert.ok(idle >= 0, mpd.log());
    assert.ok(close > idle, `close after idle in MPD's log:\n${mpd.log()}`);
    assert.ok(
      log.slice(close).some((line) => /client: \[\d+\] closed/.test(line)),
      mpd.log(),
    );
  });
});
