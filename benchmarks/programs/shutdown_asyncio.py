# asyncio: N tasks in one TaskGroup, each with a 1 ms asynchronous cleanup
# (an await in `finally`). SIGTERM cancels the main task; the TaskGroup then
# cancels every child and waits for all of them. Exits 143.
# Usage: python3 shutdown_asyncio.py <N>
import asyncio
import signal
import sys
import time

cpu_at_signal = None


async def main(n: int) -> int:
    registered = 0
    cleaned = 0

    async def task() -> None:
        nonlocal registered, cleaned
        registered += 1
        try:
            await asyncio.Future()
        finally:
            await asyncio.sleep(0.001)
            cleaned += 1

    main_task = asyncio.current_task()

    def on_sigterm() -> None:
        global cpu_at_signal
        cpu_at_signal = time.process_time()
        main_task.cancel()

    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, on_sigterm)
    try:
        async with asyncio.TaskGroup() as tg:
            for _ in range(n):
                tg.create_task(task())
            while registered < n:
                await asyncio.sleep(0.001)
            sys.stdout.write("ready\n")
            sys.stdout.flush()
            await asyncio.Future()
    except asyncio.CancelledError:
        pass
    return cleaned


if __name__ == "__main__":
    count = int(sys.argv[1])
    cleaned = asyncio.run(main(count))
    sys.stdout.write(f"cleanups {cleaned}\n")
    sys.stdout.write(f"cpu-ms {(time.process_time() - cpu_at_signal) * 1000}\n")
    sys.stdout.flush()
    sys.exit(143)
