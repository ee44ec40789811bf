// The manual retry loop in JavaScript, done right — the twin of ctlab/retry.py.
//
// What it fixes in the docs page's loop (docs_loop.mjs):
// 1. One retry layer: it calls client.withOptions({ maxRetries: 0 }), so the SDK
//    does not retry underneath it (3 x 3 = 9 requests otherwise).
// 2. Retries what is worth retrying — 408, 409, 429, 5xx (529 included), timeouts
//    and dropped connections — and obeys x-should-retry; never a spend limit,
//    never another 4xx.
// 3. Waits as told: retry-after-ms / retry-after when the server sends them, else
//    exponential backoff with full jitter, capped.
// 4. No sleep after the last attempt, and an optional overall deadline (ms).
// 5. Throws the original error (with the attempt count), never a vague Error.

import Anthropic from "@anthropic-ai/sdk";

export const MODEL = "claude-opus-4-7";
export const MESSAGES = [{ role: "user", content: "你好" }];

/** error.details.error_code values that no amount of waiting fixes. */
const NEVER_RETRY_CODES = new Set(["enforced_spend_limit_reached", "contract_spend_limit_reached"]);

export function isRetryable(err) {
  if (err instanceof Anthropic.APIConnectionError) return true; // timeouts included: a subclass
  if (!(err instanceof Anthropic.APIError) || err.status == null) return false;
  const header = err.headers?.get?.("x-should-retry");
  if (header === "true" || header === "false") return header === "true";
  if (NEVER_RETRY_CODES.has(err.error?.error?.details?.error_code)) return false;
  return [408, 409, 429].includes(err.status) || err.status >= 500;
}

/** Milliseconds the server asked us to wait, if it said. */
export function retryAfterMs(err) {
  const headers = err?.headers;
  if (!headers?.get) return null;
  const ms = parseFloat(headers.get("retry-after-ms") ?? "");
  if (ms >= 0) return ms;
  const seconds = parseFloat(headers.get("retry-after") ?? "");
  return seconds >= 0 ? seconds * 1000 : null;
}

/** Full-jitter exponential backoff: uniform in [0, min(maxDelay, baseDelay * 2**attempt)] ms. */
export function backoff(attempt, { baseDelay = 500, maxDelay = 30000 } = {}) {
  return Math.random() * Math.min(maxDelay, baseDelay * 2 ** attempt);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function chatWithRetry(
  client,
  messages,
  { maxAttempts = 4, baseDelay = 500, maxDelay = 30000, deadline = null, model = MODEL, maxTokens = 1024 } = {},
) {
  if (!(maxAttempts >= 1)) throw new RangeError(`maxAttempts must be >= 1, got ${maxAttempts}`);
  const once = client.withOptions({ maxRetries: 0 });
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const left = deadline == null ? null : deadline - (Date.now() - started);
      const options = left != null && left < once.timeout ? { timeout: Math.max(1, Math.floor(left)) } : undefined;
      const response = await once.messages.create({ model, max_tokens: maxTokens, messages }, options);
      return response.content[0].text;
    } catch (err) {
      const lastAttempt = attempt === maxAttempts - 1;
      if (!isRetryable(err) || lastAttempt) throw note(err, attempt + 1);
      const told = retryAfterMs(err);
      const wait = told == null ? backoff(attempt, { baseDelay, maxDelay }) : Math.min(told, maxDelay);
      if (deadline != null && Date.now() - started + wait >= deadline) throw note(err, attempt + 1);
      await sleep(wait);
    }
  }
}

function note(err, attempts) {
  err.attempts = attempts; // 共尝试几次 / how many attempts were made
  return err;
}
