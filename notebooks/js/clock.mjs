// Virtual sleeps for Node: the JavaScript twin of ctlab's Python clock (ctlab/clock.py).
//
// Once installed, a wait asked for by the SDK's retry logic (its `sleep`) or by
// the retry loops in this folder does not really wait: it is recorded (how long,
// and who asked: "sdk" or "code") and resolves at once, moving `Date.now()` on
// by as much (so a deadline in the loops sees the wait). Everything else stays
// real: the HTTP requests, the SDK's request timeout (a real timer racing a real
// server), Node's own timers. `Math.random` is seeded, so the SDK's jitter is
// the same on every run.
//
//   import { install, waits } from "./clock.mjs";
//   install({ seed: 0 });          // or install({ real: true }) to wait for real
//   ... await client.messages.create(...) ...
//   waits  // [{ ms: 1000, by: "sdk" }, ...]
//   reseed(0);                     // before the next run in the same process: same jitter, no waits yet

const realSetTimeout = globalThis.setTimeout;
const realNow = Date.now;
let slept = 0; // virtual milliseconds added to Date.now()

/** Every wait so far, in order: `{ ms, by }` with `by` "sdk" or "code". */
export const waits = [];

// Who may sleep virtually: the SDK's sleep helper, and the loops under test.
const SDK_SLEEP = /@anthropic-ai[\\/]sdk[\\/]internal[\\/]utils[\\/]sleep\.m?js/;
const CODE_SLEEP = /notebooks[\\/]js[\\/](docs_loop|retry_loop)\.mjs/;

function sleeper() {
  const stack = new Error().stack ?? "";
  if (SDK_SLEEP.test(stack)) return "sdk";
  if (CODE_SLEEP.test(stack)) return "code";
  return null;
}

/** A small seeded PRNG (mulberry32) standing in for Math.random. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Seed Math.random; unless `real`, make the SDK's and the loops' sleeps virtual.
 * Waits are recorded either way.
 */
export function install({ seed = 0, real = false } = {}) {
  Math.random = seeded(seed);
  if (!real) Date.now = () => realNow() + slept;
  globalThis.setTimeout = function setTimeout(callback, ms = 0, ...args) {
    const by = sleeper();
    if (by === null) return realSetTimeout(callback, ms, ...args);
    waits.push({ ms: Number(ms), by });
    if (real) return realSetTimeout(callback, ms, ...args);
    return realSetTimeout(() => {
      slept += Math.max(0, Number(ms) || 0);
      callback(...args);
    }, 0);
  };
}

/** Start again for the next run in this process: `Math.random` seeded afresh and no waits recorded. */
export function reseed(seed = 0) {
  Math.random = seeded(seed);
  waits.length = 0;
}
