import { EventEmitter, getEventListeners, once as nextEvent } from "node:events";
import { action, createSignal, each, type Operation, on, type Subscription, sleep, suspend } from "effection";
import { abortable, group, main, onTeardown } from "unwind";

// effection's on() and once() take an EventTarget. For a Node EventEmitter,
// a signal: the listener is added, and its removal registered, side by side.
function* listen<T>(emitter: EventEmitter, event: string): Operation<Subscription<T, never>> {
  const signal = createSignal<T, never>();
  const subscription = yield* signal; // subscribe before the first event can come
  emitter.on(event, signal.send);
  yield* onTeardown(() => {
    emitter.off(event, signal.send);
  });
  return subscription;
}

// A callback API of the old kind: it calls back once, and returns a way to cancel.
function resolveHost(host: string, callback: (error: Error | null, address: string) => void) {
  const timer = setTimeout(() => callback(null, "10.0.0.7"), host === "backup.local" ? 60_000 : 10);
  return { cancel: () => clearTimeout(timer) };
}

// action(): the function it returns is the teardown, run however the wait ends.
function lookup(host: string): Operation<string> {
  return action((resolve, reject) => {
    const request = resolveHost(host, (error, address) => (error ? reject(error) : resolve(address)));
    return () => {
      request.cancel();
      console.log(`lookup ${host}: request released`);
    };
  });
}

await main(function* () {
  const socket = new EventEmitter(); // a Node EventEmitter, like net.Socket
  const player = new EventTarget(); // an EventTarget, like AbortSignal or a WebSocket
  const count = () =>
    `line ${socket.listenerCount("line")}, greeting ${socket.listenerCount("greeting")}, ` +
    `pause ${getEventListeners(player, "pause").length}`;

  yield* group(function* (g) {
    g.spawn(
      function* () {
        yield* onTeardown(() => console.log("reader: teardown"));
        const lines = yield* listen<string>(socket, "line");
        while (true) console.log(`reader: ${(yield* lines.next()).value}`);
      },
      { name: "reader" },
    );
    g.spawn(
      function* () {
        yield* onTeardown(() => console.log("pauser: teardown"));
        for (const event of yield* each(on(player, "pause"))) {
          console.log(`pauser: ${event.type}`);
          yield* each.next();
        }
      },
      { name: "pauser" },
    );
    g.spawn(
      function* () {
        // Node's once() takes an AbortSignal: abortable() aborts it on a halt.
        const [text] = yield* abortable((signal) => nextEvent(socket, "greeting", { signal }));
        console.log(`greeter: ${text}`);
      },
      { name: "greeter" },
    );
    g.spawn(
      function* () {
        socket.on("line", (line) => console.log(`leaky: ${line}`)); // never removed
        yield* suspend();
      },
      { name: "leaky" },
    );
    yield* sleep(1); // let the tasks start
    console.log(`listeners while running: ${count()}`);
    socket.emit("line", "OK MPD 0.23.5");
    player.dispatchEvent(new Event("pause"));
    console.log(`main: mpd.local is ${yield* lookup("mpd.local")}`);
    g.spawn(() => lookup("backup.local"), { name: "backup" }); // never answers
    yield* sleep(1);
    yield* g.halt();
  });

  console.log(`listeners after the group: ${count()}`);
  socket.emit("line", "volume: 40");
});
