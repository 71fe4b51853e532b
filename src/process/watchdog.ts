import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import type { Socket } from "node:net";

/**
 * Why a watchdog: a child must not outlive this Node process, even when
 * Node dies without running any teardown (SIGKILL, a crash, an abort).
 * Linux can do that per child with PR_SET_PDEATHSIG, but Node cannot set
 * it, and a child in its own process group (see process-group.ts) does not
 * get the terminal's Ctrl-C either.
 *
 * So one small `sh` per Node process (per thread, in fact: each worker
 * thread has its own) holds the read end of a pipe whose write end only
 * this process has. Node tells it which process groups are alive
 * (`+pgid:SIGNAL`, `-pgid:SIGNAL`, one line each, written before the spawn
 * returns to any user code). When the pipe closes without an orderly stop,
 * because this process is gone, the watchdog sends each group its kill
 * signal, waits up to 0.3 s for them to go, then sends SIGKILL.
 *
 * It runs in a session of its own and ignores the usual signals, so that
 * what kills this process (Ctrl-C, a kill of its process group) does not
 * take the watchdog with it. It costs one spawn per root that uses
 * `exec()`, not one per child: it lives as long as some root (or a process
 * started outside any root) holds a lease, and the last lease ends it.
 */
const SCRIPT = `
trap '' HUP INT QUIT TERM PIPE USR1 USR2
live=' '
while IFS= read -r line; do
  case $line in
    +*) live="$live\${line#+} " ;;
    -*) entry=\${line#-}
        case $live in *" $entry "*) live="\${live%%" $entry "*} \${live#*" $entry "}" ;; esac ;;
  esac
done
[ "$live" = ' ' ] && exit 0
for entry in $live; do kill -s "\${entry#*:}" -- "-\${entry%%:*}" 2>/dev/null; done
tries=0
while [ $tries -lt 3 ]; do
  alive=''
  for entry in $live; do kill -s 0 -- "-\${entry%%:*}" 2>/dev/null && alive=1; done
  [ -z "$alive" ] && exit 0
  sleep 0.1
  tries=$((tries + 1))
done
for entry in $live; do kill -s KILL -- "-\${entry%%:*}" 2>/dev/null; done
`;

class Watchdog {
  private child: ChildProcess | undefined;
  /** Live process groups and the signal each gets first. */
  private readonly groups = new Map<number, string>();
  private leases = 0;

  /**
   * Keeps the watchdog running until the returned function is called. That
   * function (the same promise however often it is called) resolves once
   * the watchdog has exited, when it was the last lease, so that nothing of
   * unwind's outlives the root that used it.
   */
  lease(): () => Promise<void> {
    this.start();
    this.leases++;
    let released: Promise<void> | undefined;
    return () => {
      if (!released) {
        this.leases--;
        released = this.leases === 0 ? this.stop() : Promise.resolve();
      }
      return released;
    };
  }

  watch(pgid: number, signal: NodeJS.Signals): void {
    const entry = `${pgid}:${signal.replace(/^SIG/, "")}`;
    this.groups.set(pgid, entry);
    this.send(`+${entry}`);
  }

  unwatch(pgid: number): void {
    const entry = this.groups.get(pgid);
    if (entry === undefined) return;
    this.groups.delete(pgid);
    this.send(`-${entry}`);
  }

  private send(line: string): void {
    // A pipe write: the line is in the kernel's buffer before this returns,
    // so it reaches the watchdog even if this process dies right after.
    this.child?.stdin?.write(`${line}\n`);
  }

  private start(): void {
    if (this.child) return;
    const child = spawn("/bin/sh", ["-c", SCRIPT, "unwind-watchdog"], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
    });
    if (child.pid === undefined) {
      child.on("error", () => {});
      throw new Error("unwind/process: could not start /bin/sh, which watches for orphaned processes");
    }
    // It must not keep Node alive by itself.
    child.unref();
    (child.stdin as Socket).unref();
    // If it died (someone killed it), writes fail with EPIPE until the
    // exit handler below has started a new one.
    child.stdin?.on("error", () => {});
    child.once("exit", () => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.leases > 0) this.start();
    });
    this.child = child;
    for (const entry of this.groups.values()) this.send(`+${entry}`);
  }

  private async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    // Held until it has gone, so a root that ends here leaves no process behind.
    child.ref();
    child.stdin?.end();
    await exited;
  }
}

/** The watchdog of this thread. */
export const watchdog = new Watchdog();
