import type { Server } from "node:http";
import { Server as NetServer } from "node:net";

/**
 * Stops accepting connections, and nothing more. `http.Server`'s own
 * `close()` also destroys every connection Node deems idle, which includes
 * one whose response has ended but is still being sent to a slow reader;
 * `net.Server`'s `close()`, which it builds on, only closes the listening
 * socket. The open connections are left to `Connections`.
 */
export function stopListening(server: Server): void {
  NetServer.prototype.close.call(server);
}
