/**
 * Items queued per owner (a request), taken one owner at a time in turn: an
 * owner with 500 items waits behind its own, not in front of everyone else.
 */
export interface RoundRobinQueue<K, T> {
  readonly size: number;
  push(owner: K, item: T): void;
  /** The next item in turn, undefined when none waits. */
  shift(): T | undefined;
  /** Takes a waiting item out of its owner's queue; false when it no longer waits. */
  remove(owner: K, item: T): boolean;
}

export function createRoundRobinQueue<K, T>(): RoundRobinQueue<K, T> {
  // Each owner's items, owners in turn order: the head is served next, then moves to the back.
  const queues = new Map<K, T[]>();
  let size = 0;
  return {
    get size() {
      return size;
    },
    push(owner, item) {
      const queue = queues.get(owner);
      if (queue) queue.push(item);
      else queues.set(owner, [item]);
      size++;
    },
    shift() {
      const next = queues.entries().next();
      if (next.done) return undefined;
      const [owner, queue] = next.value;
      const item = queue.shift() as T;
      size--;
      // Re-inserting moves this owner behind every other waiting one.
      queues.delete(owner);
      if (queue.length > 0) queues.set(owner, queue);
      return item;
    },
    remove(owner, item) {
      const queue = queues.get(owner);
      const at = queue ? queue.indexOf(item) : -1;
      if (!queue || at < 0) return false;
      queue.splice(at, 1);
      size--;
      if (queue.length === 0) queues.delete(owner);
      return true;
    },
  };
}
