import { action, type Operation } from "effection";

/**
 * A FIFO that plain callbacks push into and operations take from. A taker
 * that is halted while waiting leaves the queue as it was: no item is handed
 * to a waiter that is gone.
 */
export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private readonly takers: Array<(item: T) => void> = [];

  push(item: T): void {
    const taker = this.takers.shift();
    if (taker) taker(item);
    else this.items.push(item);
  }

  take(): Operation<T> {
    return action<T>((resolve) => {
      if (this.items.length > 0) {
        resolve(this.items.shift() as T);
        return () => {};
      }
      this.takers.push(resolve);
      return () => {
        const at = this.takers.indexOf(resolve);
        if (at >= 0) this.takers.splice(at, 1);
      };
    });
  }

  /** Takes `item` out of the queue if it is still waiting there. */
  remove(item: T): boolean {
    const at = this.items.indexOf(item);
    if (at >= 0) this.items.splice(at, 1);
    return at >= 0;
  }
}
