import { once } from "node:events";
import { type AddressInfo, createConnection, createServer } from "node:net";
import { suspend, until } from "effection";
import { group, main, onTeardown, withTimeout } from "unwind";

// Stands in for the MPD server at 192.168.1.143:6600 of the original program.
function* fakeMpd(ready: (port: number) => void) {
  const server = createServer((socket) => {
    socket.write("OK MPD 0.23.5\n");
    socket.on("data", (data) => {
      if (String(data) !== "close\n") return;
      console.log("server: the client said goodbye");
      socket.end();
    });
  });
  yield* onTeardown(async () => {
    await new Promise((resolve) => server.close(resolve));
    console.log("server: stopped");
  });
  server.listen(0, "127.0.0.1");
  yield* until(once(server, "listening"));
  ready((server.address() as AddressInfo).port);
  yield* suspend();
}

// The DummyProtocol: connect, handshake, then serve commands until halted.
function* mpdClient(port: number, ready: () => void) {
  const socket = createConnection(port, "127.0.0.1");
  yield* onTeardown(async (reason) => {
    console.log(`client: closing the connection (${reason?.message})`);
    socket.end("close\n");
    await once(socket, "close");
    console.log("client: connection closed");
  });
  const [greeting] = yield* withTimeout(3_000, until(once(socket, "data")));
  console.log(`client: connected, the server says ${String(greeting).trim()}`);
  yield* group(function* (g) {
    g.spawn(
      function* () {
        yield* onTeardown(() => console.log("commands: stopped"));
        ready();
        yield* suspend(); // here the real program reads its command queue
      },
      { name: "commands" },
    );
  });
}

await main(
  function* (root) {
    yield* onTeardown(() => console.log("main: shutdown complete"));
    const port = yield* root.start<number>(fakeMpd, { name: "server" });
    yield* root.start<void>((ready) => mpdClient(port, ready), { name: "client" });
    console.log("ready"); // press Ctrl-C now (the test sends SIGINT)
    yield* suspend();
  },
  { teardownTimeout: 5_000 },
);
