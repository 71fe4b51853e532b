/**
 * unwind/http: one scope per HTTP request, cancelled when the client goes
 * away, drained on shutdown. `serve()` owns a `node:http` server; `mount()`
 * puts the same request scopes into a server you own (node:http, Express,
 * Fastify) and `adoptServer()` closes such a server when its scope ends;
 * `fromFetch()` adapts a Fetch-style handler.
 *
 * @module unwind/http
 */
export { type AdoptServerOptions, adoptServer } from "./adopt-server.ts";
export { type FetchHandler, fromFetch } from "./from-fetch.ts";
export { type MountedHandler, mount } from "./mount.ts";
export type { RequestErrorInfo, RequestHandler } from "./request-handler.ts";
export type { RequestOptions } from "./request-options.ts";
export { type HttpServer, type ServeOptions, serve } from "./serve.ts";
