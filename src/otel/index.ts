/**
 * unwind/otel: OpenTelemetry spans for tasks, groups and HTTP request
 * scopes, with each task's span active in its own code. It needs
 * `@opentelemetry/api` (an optional peer dependency); the other entry
 * points never load it.
 *
 * @module unwind/otel
 */
export { type InstrumentOptions, instrument } from "./instrument.ts";
