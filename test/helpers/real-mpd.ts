import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.ts";

/** A real MPD (Debian's `mpd`) on loopback, with a throwaway config and null audio output. */
export interface RealMpd {
  host: string;
  port: number;
  /** MPD's log so far (log_level verbose: one line per command it processes). */
  log(): string;
  stop(): Promise<void>;
}

const MPD = "/usr/bin/mpd";

/**
 * Why the real-MPD tests cannot run here, or `false` when they can. A fresh
 * machine has no MPD: the tests are then skipped with this reason, unless
 * `UNWIND_REQUIRE_MPD=1` (set by `.ci/run`) makes a missing MPD a failure.
 */
export function realMpdMissing(): string | false {
  try {
    accessSync(MPD, constants.X_OK);
    return false;
  } catch (error) {
    const why = `${MPD} is not installed or not executable (${(error as NodeJS.ErrnoException).code}); install it with: apt-get install -y mpd`;
    if (process.env.UNWIND_REQUIRE_MPD === "1") throw new Error(`UNWIND_REQUIRE_MPD=1 but ${why}`);
    return why;
  }
}

export async function startRealMpd(): Promise<RealMpd> {
  const dir = mkdtempSync(join(tmpdir(), "unwind-mpd-"));
  mkdirSync(join(dir, "music"));
  mkdirSync(join(dir, "playlists"));
  const port = await freePort();
  writeFileSync(
    join(dir, "mpd.conf"),
    [
      `music_directory "${join(dir, "music")}"`,
      `playlist_directory "${join(dir, "playlists")}"`,
      `db_file "${join(dir, "db")}"`,
      `state_file "${join(dir, "state")}"`,
      `bind_to_address "127.0.0.1"`,
      `port "${port}"`,
      `log_level "verbose"`,
      `zeroconf_enabled "no"`,
      `audio_output {`,
      `  type "null"`,
      `  name "null"`,
      `}`,
    ].join("\n"),
  );
  const child: ChildProcess = spawn(MPD, ["--no-daemon", "--stderr", join(dir, "mpd.conf")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    log += chunk;
  });
  const failed = once(child, "error").then(([error]) => {
    throw new Error(
      `could not start ${MPD} (${(error as Error).message}); .ci/run installs it: apt-get install -y mpd`,
    );
  });
  await Promise.race([waitForPort(port), failed]);
  return {
    host: "127.0.0.1",
    port,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        const exited = once(child, "exit");
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once something accepts connections on the port (MPD takes a moment to start). */
async function waitForPort(port: number, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`MPD did not listen on 127.0.0.1:${port}`);
}
