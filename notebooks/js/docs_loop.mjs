// The docs page's JavaScript retry loop, reconstructed to be measured — flaws included.
//
// The proxy provider's page 错误处理与重试 ("Error handling and retries") teaches
// this loop. Its logic is kept line for line; only two things changed so it can
// run here: the client is a parameter instead of a module-level constant, and
// each console.log carries an English translation after the page's Chinese.
// Do NOT copy it into production: notebook 04 measures what is wrong with it,
// and retry_loop.mjs is the corrected version.

import Anthropic from "@anthropic-ai/sdk";

export const MODEL = "claude-opus-4-7";
export const MESSAGES = [{ role: "user", content: "你好" }];

export async function chatWithRetry(client, messages, maxRetries = 3) {
  for (let attempt = 0; attempt < maxRetries; attempt++) {
    try {
      const response = await client.messages.create({
        model: MODEL,
        max_tokens: 1024,
        messages,
      });
      return response.content[0].text;
    } catch (err) {
      if (err instanceof Anthropic.RateLimitError) {
        const wait = 2 ** attempt;
        console.log(`触发限速,${wait}秒后重试... / rate limited, retrying in ${wait} s...`);
        await new Promise(r => setTimeout(r, wait * 1000));
      } else if (err instanceof Anthropic.APIConnectionTimeoutError) {
        console.log("请求超时,重试中... / request timed out, retrying...");
      } else if (err instanceof Anthropic.BadRequestError) {
        throw err; // 参数错误不重试 / bad parameters are not retried
      } else {
        break;
      }
    }
  }
  throw new Error("请求失败,已达最大重试次数 / request failed: max retries reached");
}
