/**
 * The request target (`req.url`) as unwind shows and matches it. A client
 * may send it in origin form (`/users?id=1`) or, to a proxy or on purpose,
 * in absolute form (`http://user:secret@host/users?id=1`): names and logs
 * must never carry the credentials of the second, and the readiness path
 * must match both.
 */

/** `scheme://authority` at the start of an absolute-form target. */
const ABSOLUTE = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/;
/** `user:password@` inside the authority of an absolute-form target. */
const USERINFO = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/?#@]*@/;

/** The target without its query and fragment, and without `user:password@`: for task names. */
export function targetName(url: string): string {
  const end = queryStart(url);
  const target = end === -1 ? url : url.slice(0, end);
  return target.startsWith("/") ? target : withoutUserinfo(target);
}

/**
 * The path alone, without query and fragment, in origin or absolute form
 * (`http://host/users?id=1` gives `/users`): a tracer's `url.path`.
 * A target of neither form (`*`) is given back as it is.
 */
export function targetPath(url: string): string {
  const afterAuthority = url.startsWith("/") ? url : url.replace(ABSOLUTE, "");
  const end = queryStart(afterAuthority);
  const path = end === -1 ? afterAuthority : afterAuthority.slice(0, end);
  if (afterAuthority !== url && path === "") return "/";
  return path;
}

/** The target as the client sent it, without `user:password@`: for error reports. */
export function withoutUserinfo(url: string): string {
  return url.startsWith("/") ? url : url.replace(USERINFO, "$1");
}

/** Whether the target's path is `path`, whatever its query, in origin or absolute form. */
export function targetsPath(url: string, path: string): boolean {
  if (url.startsWith("/")) {
    // The common case first, without allocating.
    if (!url.startsWith(path)) return false;
    const next = url.charCodeAt(path.length);
    return Number.isNaN(next) || next === QUESTION || next === HASH;
  }
  const afterAuthority = url.replace(ABSOLUTE, "");
  if (afterAuthority === url) return false; // neither form: `*`, or garbage
  const end = queryStart(afterAuthority);
  return (end === -1 ? afterAuthority : afterAuthority.slice(0, end)) === path;
}

const QUESTION = 0x3f;
const HASH = 0x23;

function queryStart(url: string): number {
  for (let i = 0; i < url.length; i++) {
    const code = url.charCodeAt(i);
    if (code === QUESTION || code === HASH) return i;
  }
  return -1;
}
