import { inspect } from "node:util";

/** The styles the printers use; their ANSI codes come from Node's own table (`util.inspect.colors`). */
export type Style = "bold" | "red" | "green" | "yellow" | "blue" | "gray";

/** Wraps text in a style, or returns it as it is when colour is off. */
export type Paint = (style: Style, text: string) => string;

/** What `colorsFor` needs of a stream: `process.stdout` and `process.stderr` have both on a terminal. */
export interface ColorTarget {
  readonly isTTY?: boolean;
  hasColors?(count?: number, env?: object): boolean;
}

/**
 * Whether text written to `stream` should be coloured, as Node decides for
 * its own output: `FORCE_COLOR` wins when set (`0` or `false` turn colour
 * off, anything else on); otherwise only a terminal gets colour, and
 * `hasColors()` says no under `NO_COLOR`, `NODE_DISABLE_COLORS` or
 * `TERM=dumb`. A pipe or a file gets plain text.
 */
export function colorsFor(stream: ColorTarget, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return ["", "1", "2", "3", "true"].includes(force);
  return stream.isTTY === true && typeof stream.hasColors === "function" && stream.hasColors(16, env);
}

const plain: Paint = (_style, text) => text;

const ansi: Paint = (style, text) => {
  if (text === "") return text;
  const [open, close] = inspect.colors[style] ?? [0, 0];
  return `\u001b[${open}m${text}\u001b[${close}m`;
};

/** A painter: colours when `on`, plain text otherwise. */
export function painter(on: boolean): Paint {
  return on ? ansi : plain;
}
