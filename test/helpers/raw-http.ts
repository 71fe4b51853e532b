import { connect, type Socket } from "node:net";

/** One response as it came over the wire. */
export interface RawResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What a raw connection saw once the server closed it (or it failed). */
export interface RawEnd {
  /** Every whole response, in order. */
  readonly responses: RawResponse[];
  /** The error code, when the connection failed rather than ended (ECONNRESET, ...). */
  readonly error: string | undefined;
  /** What came after the last whole response: a cut one, or an upgraded protocol's bytes. */
  readonly rest: string;
}

export interface RawConnection {
  readonly socket: Socket;
  /** The whole responses so far, in order. */
  readonly responses: RawResponse[];
  /** Resolves when the connection closed. */
  readonly ended: Promise<RawEnd>;
}

/**
 * A TCP connection that speaks HTTP/1.1 by hand, so that a test can do what
 * `node:http`'s client never does: write several requests at once
 * (pipelining), a request head a few bytes at a time, or an upgrade.
 * Responses are parsed as they arrive (Content-Length or chunked bodies).
 */
export async function openRaw(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const responses: RawResponse[] = [];
  let buffer = Buffer.alloc(0);
  let error: string | undefined;
  let upgraded = false;
  socket.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    // After a 101 the bytes are the new protocol's: left in `rest`.
    for (let parsed = upgraded ? undefined : parseOne(buffer); parsed; parsed = parseOne(buffer)) {
      if (parsed.response.status === 101) upgraded = true;
      responses.push(parsed.response);
      buffer = buffer.subarray(parsed.length);
      if (upgraded) break;
    }
  });
  socket.on("error", (failure: NodeJS.ErrnoException) => {
    error = failure.code ?? failure.message;
  });
  const ended = new Promise<RawEnd>((resolve) =>
    socket.once("close", () => resolve({ responses, error, rest: buffer.toString("utf8") })),
  );
  return { socket, responses, ended };
}

/** A connection that sends `GET path` and reads nothing until `socket.resume()`. */
export async function openSlowReader(url: string, path: string) {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.pause();
  socket.write(get(path));
  let received = 0;
  let head = "";
  socket.on("data", (chunk: Buffer) => {
    received += chunk.length;
    if (head.length < 200) head += chunk.toString("latin1", 0, 200);
  });
  socket.on("error", () => {}); // a cut connection shows as missing bytes
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return {
    socket,
    closed,
    /** Body bytes received so far (once the head has arrived). */
    get bodyBytes() {
      return received - (head.indexOf("\r\n\r\n") + 4);
    },
  };
}

/** A GET request head (HTTP/1.1, keep-alive), with extra header lines. */
export function get(path: string, ...headers: string[]): string {
  return [`GET ${path} HTTP/1.1`, "Host: test", ...headers, "", ""].join("\r\n");
}

function parseOne(buffer: Buffer): { response: RawResponse; length: number } | undefined {
  const headEnd = buffer.indexOf("\r\n\r\n");
  if (headEnd === -1) return undefined;
  const [statusLine = "", ...lines] = buffer.subarray(0, headEnd).toString("latin1").split("\r\n");
  const status = Number(statusLine.split(" ")[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  let offset = headEnd + 4;
  // An interim response (100 Continue, 101 Switching Protocols) has no body.
  if (status < 200) return { response: { status, headers, body: "" }, length: offset };
  if (headers["transfer-encoding"] === "chunked") {
    const parts: Buffer[] = [];
    for (;;) {
      const sizeEnd = buffer.indexOf("\r\n", offset);
      if (sizeEnd === -1) return undefined;
      const size = Number.parseInt(buffer.subarray(offset, sizeEnd).toString("latin1"), 16);
      const dataEnd = sizeEnd + 2 + size;
      if (buffer.length < dataEnd + 2) return undefined;
      parts.push(buffer.subarray(sizeEnd + 2, dataEnd));
      offset = dataEnd + 2;
      if (size === 0) break;
    }
    return { response: { status, headers, body: Buffer.concat(parts).toString("utf8") }, length: offset };
  }
  const size = Number(headers["content-length"] ?? 0);
  if (buffer.length < offset + size) return undefined;
  const body = buffer.subarray(offset, offset + size).toString("utf8");
  return { response: { status, headers, body }, length: offset + size };
}
