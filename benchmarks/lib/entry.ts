import { pathToFileURL } from "node:url";

/** Is the module at `url` the script node was started with? */
export function isEntry(url: string): boolean {
  return process.argv[1] !== undefined && url === pathToFileURL(process.argv[1]).href;
}
