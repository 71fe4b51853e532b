// The MPD text protocol, the part a client needs: responses are `key: value`
// lines ended by `OK`, or a single `ACK [code@index] {command} message` line.
// https://mpd.readthedocs.io/en/latest/protocol.html

/** A successful response: its `key: value` lines, in order. */
export interface MpdResponse {
  readonly fields: ReadonlyArray<readonly [string, string]>;
}

/** An `ACK` line, as a typed error: which command, which code, what message. */
export class MpdError extends Error {
  override name = "MpdError";

  constructor(
    readonly code: number,
    readonly index: number,
    readonly command: string,
    readonly text: string,
  ) {
    super(`MPD refused ${command || "a command"}: ${text} (ACK ${code}@${index})`);
  }
}

const ACK = /^ACK \[(\d+)@(\d+)\] \{([^}]*)\} ?(.*)$/;

/** Parses `ACK [50@0] {play} No such song` into an MpdError. */
export function parseAck(line: string): MpdError | undefined {
  const match = ACK.exec(line);
  if (!match) return undefined;
  const [, code = "0", index = "0", command = "", text = ""] = match;
  return new MpdError(Number(code), Number(index), command, text);
}

/**
 * Collects the lines of one response at a time: `push` returns the finished
 * response (or the ACK error) on its last line, `undefined` before that.
 */
export class ResponseParser {
  private fields: Array<readonly [string, string]> = [];

  push(line: string): MpdResponse | MpdError | undefined {
    if (line === "OK") {
      const response = { fields: this.fields };
      this.fields = [];
      return response;
    }
    if (line.startsWith("ACK ")) {
      this.fields = [];
      return parseAck(line) ?? new MpdError(0, 0, "", line);
    }
    const colon = line.indexOf(": ");
    if (colon > 0) this.fields.push([line.slice(0, colon), line.slice(colon + 2)]);
    return undefined;
  }
}

/** The first value of `key` in a response. */
export function field(response: MpdResponse, key: string): string | undefined {
  return response.fields.find(([k]) => k === key)?.[1];
}

/** Quotes one command argument the way MPD expects. */
export function quote(argument: string): string {
  return `"${argument.replace(/[\\"]/g, "\\$&")}"`;
}
