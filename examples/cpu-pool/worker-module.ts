// Node 20 does not pass tsx's hooks on to worker threads, so a TypeScript
// module cannot be a worker's entry as it is. This wraps it in a tiny
// JavaScript entry (a data: URL, which Node's Worker accepts) that
// registers tsx in the new thread and then imports the module. With
// compiled JavaScript, or on a Node that loads TypeScript in workers, give
// workerPool() the module's URL directly:
//   workerPool(new URL("./fib-worker.js", import.meta.url), { size: 2 })
const tsx = import.meta.resolve("tsx/esm/api");

export function workerModule(path: string): URL {
  const module = new URL(path, import.meta.url);
  const entry = `import { register } from ${JSON.stringify(tsx)};
register();
await import(${JSON.stringify(module.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(entry)}`);
}
