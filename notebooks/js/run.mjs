// Runs one JavaScript client against ctlab's fault server and prints what happened.
//
//   ANTHROPIC_BASE_URL=http://127.0.0.1:PORT node run.mjs sdk --max-retries 2 --timeout 500
//
// With CTLAB_BASE_URLS (several server URLs, space-separated) it runs the same
// client once against each of them, one after another, in this one process, and
// prints each run's output in turn (ctlab.harness.OneProcess uses this: starting
// Node and loading the SDK costs more than most runs).
//
// WHAT is one of:
//   sdk          one messages.create with the SDK's built-in retry (maxRetries, timeout)
//   docs-loop    the docs page's chatWithRetry (docs_loop.mjs) on a default client
//   retry-loop   the corrected loop (retry_loop.mjs)
//   docs-client  builds the docs page's "built-in retry" client and prints where it would send
//                requests (it sends nothing)
// Options: --max-retries N, --timeout MS (client options), --deadline MS (retry-loop's
// time budget for the whole call), --seed N (jitter),
// --real-sleep (really wait; by default the SDK's and the loops' sleeps are
// virtual, see clock.mjs). Whatever the loops print comes first; the last line
// is one JSON object: {"returned": ...} or {"threw": class name, "status", "chain"},
// with "waits" (every sleep, in seconds, and who asked for it).

import http from "node:http";
import { install, reseed, waits } from "./clock.mjs";
import Anthropic from "@anthropic-ai/sdk";
import * as docs from "./docs_loop.mjs";
import * as fixed from "./retry_loop.mjs";

function options(argv) {
  const parsed = { what: argv[0], maxRetries: undefined, timeout: undefined, deadline: null, seed: 0, real: false };
  for (let i = 1; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--real-sleep") parsed.real = true;
    else if (flag === "--max-retries") parsed.maxRetries = Number(argv[++i]);
    else if (flag === "--timeout") parsed.timeout = Number(argv[++i]);
    else if (flag === "--seed") parsed.seed = Number(argv[++i]);
    else if (flag === "--deadline") parsed.deadline = Number(argv[++i]);
    else throw new Error(`unknown option ${flag} / 不认识的选项 ${flag}`);
  }
  return parsed;
}

/**
 * Load Node's fetch machinery (undici: connections, the HTTP parser) against a throwaway local
 * server first, so the first measured request does not pay for it while its timeout is running.
 */
async function warmUp() {
  const local = http.createServer((request, response) => response.end("ok"));
  await new Promise((resolve) => local.listen(0, "127.0.0.1", resolve));
  await (await fetch(`http://127.0.0.1:${local.address().port}/`)).text();
  local.closeAllConnections();
  await new Promise((resolve) => local.close(resolve));
}

function chain(err) {
  const names = [];
  for (let cls = err.constructor; cls && cls !== Object; cls = Object.getPrototypeOf(cls)) {
    names.push(cls.name);
    if (cls === Error) break;
  }
  return names;
}

/** One run of the client `opts.what` against the server at `baseURL`. */
async function once(opts, baseURL) {
  if (!baseURL || !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+/.test(baseURL)) {
    throw new Error("run.mjs only talks to ctlab's local fault server: set ANTHROPIC_BASE_URL to it / 只连本机故障服务端");
  }
  const client = new Anthropic({
    apiKey: "sk-simulated-not-a-real-key",
    baseURL,
    ...(opts.maxRetries === undefined ? {} : { maxRetries: opts.maxRetries }),
    ...(opts.timeout === undefined ? {} : { timeout: opts.timeout }),
  });
  const call = {
    sdk: async () => (await client.messages.create({ model: docs.MODEL, max_tokens: 1024, messages: docs.MESSAGES })).content[0].text,
    "docs-loop": () => docs.chatWithRetry(client, docs.MESSAGES),
    "retry-loop": () => fixed.chatWithRetry(client, fixed.MESSAGES, { deadline: opts.deadline }),
  }[opts.what];
  if (!call) throw new Error(`unknown WHAT ${opts.what}: sdk, docs-loop, retry-loop or docs-client`);
  try {
    return { returned: await call() };
  } catch (err) {
    return { threw: err.constructor.name, status: err.status ?? null, chain: chain(err), message: String(err.message).slice(0, 200), attempts: err.attempts ?? null };
  }
}

function report(result) {
  console.log(JSON.stringify({ ...result, waits: waits.map((w) => ({ seconds: w.ms / 1000, by: w.by })) }));
}

async function main() {
  const opts = options(process.argv.slice(2));
  install({ seed: opts.seed, real: opts.real });
  if (opts.what === "docs-client") {
    delete process.env.ANTHROPIC_BASE_URL; // as on a machine that never set it
    // The docs page's "built-in retry" client, verbatim: note what it leaves out.
    const client = new Anthropic({
      apiKey: "your-api-key",
      maxRetries: 3, // 默认为 2
      timeout: 60000,
    });
    report({ returned: client.baseURL });
    return;
  }
  const urls = (process.env.CTLAB_BASE_URLS ?? "").split(/\s+/).filter(Boolean);
  let first = true;
  for (const baseURL of urls.length ? urls : [process.env.ANTHROPIC_BASE_URL]) {
    if (first) await warmUp();
    else reseed(opts.seed); // each run as if in a fresh process
    first = false;
    report(await once(opts, baseURL));
  }
}

await main();
