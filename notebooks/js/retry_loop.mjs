// The manual retry loop in JavaScript, done right — the twin of ctlab/retry.py, following the same
// rules (ctlab/rules.py; ctlab.rules.rules() shows them):
//
// 1. One retry layer: it calls client.withOptions({ maxRetries: 0 }), so the SDK
//    does not retry underneath it (3 x 3 = 9 requests otherwise).
// 2. Retries what is worth retrying — 408, 409, 429, 5xx (529 included), timeouts
//    and dropped connections — and obeys x-should-retry; never a spend limit,
//    never another 4xx.
// 3. Never retries before retry-after-ms / retry-after allow: they are read exactly
//    as the JS SDK reads them (retryAfterMs), and the server's wait is never shortened.
// 4. When that wait does not fit the optional deadline (ms), throws the original
//    error at once.
// 5. Otherwise exponential backoff with full jitter, capped at maxDelay.
// 6. No sleep after the last attempt.
// 7. Throws the original error (with the attempt count), never a vague Error.

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

/** The longest wait one timer can hold (setTimeout fires after 1 ms for anything longer). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Milliseconds the server asked us to wait, read exactly as the JS SDK reads them: retry-after-ms
 * (parseFloat) unless it is missing, unreadable or 0; then retry-after, as seconds (parseFloat) or
 * else as an HTTP date counted from now. null when the SDK would use its own backoff instead: no
 * header, nothing readable, 0 or less (a past date included). A wait longer than one timer can hold
 * (MAX_TIMER_MS) is returned as it is — the SDK falls back to its backoff there, which would retry
 * long before the server allows; no budget fits such a wait, so the loop throws at once.
 */
export function retryAfterMs(err) {
  const headers = err?.headers;
  if (!headers?.get) return null;
  let ms;
  const inMs = headers.get("retry-after-ms");
  if (inMs && !Number.isNaN(parseFloat(inMs))) ms = parseFloat(inMs);
  const inSeconds = headers.get("retry-after");
  if (inSeconds && !ms) {
    const seconds = parseFloat(inSeconds);
    ms = Number.isNaN(seconds) ? Date.parse(inSeconds) - Date.now() : seconds * 1000;
  }
  return ms > 0 ? ms : null;
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
      const told = retryAfterMs(err); // the server's word: never shortened (maxDelay caps only the backoff)
      const wait = told ?? backoff(attempt, { baseDelay, maxDelay });
      if (wait > MAX_TIMER_MS) throw note(err, attempt + 1); // no timer, so no budget, holds that wait
      if (deadline != null && Date.now() - started + wait >= deadline) throw note(err, attempt + 1); // does not fit
      await sleep(wait);
    }
  }
}

function note(err, attempts) {
  err.attempts = attempts; // 共尝试几次 / how many attempts were made
  return err;
}
