import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Every stdout line, in order. */
  stdout: string[];
  stderr: string;
}

export interface Fixture {
  child: ChildProcess;
  /** Every stdout line so far, in order (the same array `exited` resolves with). */
  stdout: string[];
  /** What it printed on stderr so far. */
  stderr(): string;
  /** Resolves when the fixture has printed `line` on stdout (a string: exactly that line). */
  waitFor(line: string | RegExp): Promise<void>;
  exited: Promise<Exited>;
}

/** How to start a fixture. */
export interface StartOptions {
  /** In a process group of its own (its pid is the group's id): for signals to the whole group, as Ctrl-C sends them. */
  detached?: boolean;
}

/** Starts `test/fixtures/<name>.ts`; see `startScript`. */
export function startFixture(
  name: string,
  env: Record<string, string> = {},
  options: StartOptions = {},
): Fixture {
  return startScript(`test/fixtures/${name}.ts`, env, options);
}

/**
 * Starts a TypeScript file of this project (path from the project root) as a
 * real Node process, through tsx as a user would run it, collecting its
 * output so that tests can assert on lines, their order, and the exit code.
 */
export function startScript(
  path: string,
  env: Record<string, string> = {},
  options: StartOptions = {},
): Fixture {
  const name = path;
  const file = fileURLToPath(new URL(`../../${path}`, import.meta.url));
  const child = spawn(process.execPath, ["--conditions=unwind-source", "--import", "tsx", file], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
    detached: options.detached ?? false,
  });
  const stdout: string[] = [];
  let stderr = "";
  let partial = "";
  const listeners = new Set<() => void>();
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    stdout.push(...parts);
    for (const check of listeners) check();
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, "close").then(([code, signal]) => {
    if (partial) stdout.push(partial);
    return { code: code as number | null, signal: signal as NodeJS.Signals | null, stdout, stderr };
  });
  const waitFor = (line: string | RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (typeof line === "string" ? stdout.includes(line) : stdout.some((l) => line.test(l))) {
          listeners.delete(check);
          resolve();
        }
      };
      listeners.add(check);
      check();
      exited.then(() => {
        listeners.delete(check);
        reject(
          new Error(
            `${name} exited before printing "${line}"; stdout: ${stdout.join("|")}; stderr: ${stderr}`,
          ),
        );
      });
    });
  return { child, stdout, stderr: () => stderr, waitFor, exited };
}

/** What a program that ran to its end printed, whole. */
export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <args>` to its end (stdin closed) and resolves with its exit code and everything it printed. */
export async function runNode(args: readonly string[], env: Record<string, string> = {}): Promise<Ran> {
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const [code] = await once(child, "close");
  return { code: code as number | null, stdout, stderr };
}
