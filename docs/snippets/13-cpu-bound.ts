import { sleep } from "effection";
import { main, TimeoutError, withTimeout } from "unwind";

// Counts the primes below `limit` by trial division: nothing but CPU work.
// Every 10 000 numbers it yields for a moment. Those are the only places
// where a halt (a timeout here, Ctrl-C in a program) can stop it.
function* countPrimes(limit: number) {
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n && prime; d++) prime = n % d !== 0;
    if (prime) count++;
    if (n % 10_000 === 0) yield* sleep(0);
  }
  return count;
}

await main(function* () {
  console.log(`primes below 100 000: ${yield* countPrimes(100_000)}`);
  try {
    yield* withTimeout(200, countPrimes(1e12)); // hours of work
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    console.log(`${error.message}, at one of its yields`);
  }
});
