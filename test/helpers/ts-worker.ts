// Worker threads do not inherit tsx's hooks on Node 20, so a TypeScript
// module cannot be a worker's entry as it is. This wraps it in a tiny
// JavaScript entry (a data: URL, which Node's Worker accepts) that
// registers tsx in the new thread and then imports the module. With
// compiled JavaScript (what users ship) nothing of this is needed.
const tsx = import.meta.resolve("tsx/esm/api");

export function tsWorker(module: URL): URL {
  const entry = `import { register } from ${JSON.stringify(tsx)};
register();
await import(${JSON.stringify(module.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(entry)}`);
}
