"""The grader's words, in both languages: every message ``ctlab.check`` and its report show."""

from __future__ import annotations

from ..i18n import Text, register

register(
    __name__,
    {
        "check.time_limit_range": Text(
            "time_limit 必须是大于 0、不超过 {limit} 的秒数（真实时间），收到的是 {value!r}",
            "time_limit must be a number of real seconds above 0 and at most {limit}, got {value!r}",
        ),
        "check.hang_alive_thread": Text(
            "ctlab 没能让它停下来（Python 没法强行结束线程）：它会一直占着自己的线程、按真实时间运行，"
            "直到它返回或重启内核（Kernel → Restart）。不过它已经碰不到任何模拟了：之后它用 ctlab "
            "客户端发的请求会被拒绝，别的请求会发到真实网络；后面的模拟和 ctlab.check 照常可用。其余场景没有运行",
            "ctlab could not stop it (Python cannot kill a thread): it keeps its own thread, running in real time, "
            "until it returns or the kernel is restarted (Kernel → Restart). It can no longer reach any simulation: "
            "its later requests through a ctlab client are refused, any others go to the real network; "
            "later simulations and checks work as usual. The other scenarios were not run",
        ),
        "check.exercise": Text(
            "没有练习 {value}，可选：{allowed}",
            "there is no exercise {value}; choose one of: {allowed}",
        ),
        "check.stream_exercise": Text(
            "exercise 和 stream 只能二选一：练习 4 就是流式测试",
            "give exercise or stream, not both: exercise 4 is the streaming battery",
        ),
        "check.time_limit": Text(
            "time_limit 必须是正数（真实时间的秒数），收到的是 {value!r}",
            "time_limit must be a positive number of real seconds, got {value!r}",
        ),
        "check.title": Text("ctlab.check({name}) · {scope}", "ctlab.check({name}) · {scope}"),
        "check.scope.full": Text("完整测试", "the full battery"),
        "check.scope.stream": Text("流式测试", "the streaming battery"),
        "check.scope.exercise": Text("练习 {n}：{title}", "exercise {n}: {title}"),
        "check.exercise.1": Text("只留一层重试，失败要说实话", "one retry layer, and an honest failure"),
        "check.exercise.2": Text("该重试的都要重试", "retry everything that can succeed"),
        "check.exercise.3": Text("等得对：退避、抖动、retry-after", "wait well: backoff, jitter, retry-after"),
        "check.exercise.4": Text("流式调用也要重试得对", "a streaming-safe retry"),
        "check.summary_pass": Text("✓ 全部通过：{total} 个故障场景都扛住了", "✓ all {total} fault scenarios passed"),
        "check.summary_fail": Text("✗ {total} 个场景中有 {failed} 个没通过", "✗ {failed} of {total} scenarios failed"),
        "check.summary_problem": Text("✗ 批改没能完成", "✗ grading could not finish"),
        "check.col.result": Text("结果", "result"),
        "check.col.scenario": Text("模拟的故障", "what was simulated"),
        "check.col.did": Text("你的函数做了什么", "what your function did"),
        "check.col.why": Text("说明", "why"),
        "check.pass": Text("✓ 通过", "✓ pass"),
        "check.fail": Text("✗ 没通过", "✗ fail"),
        "check.did": Text(
            "请求 {requests} 次，共睡 {slept:.2f} s，{outcome}",
            "requests: {requests}, slept {slept:.2f} s, {outcome}",
        ),
        "check.did_stopped": Text(
            "发了 {requests} 次请求还在重试，被 ctlab 叫停",
            "still retrying after {requests} requests; stopped by ctlab",
        ),
        "check.did_waits": Text("每次运行的等待 (s)：{waits}", "waits in each run (s): {waits}"),
        "check.did_sdk": Text(
            "其中 {retries} 次请求是 SDK 自己的重试，{slept:.2f} s 是 SDK 睡的（传进来的 client 开着 max_retries）："
            "这部分活儿不是你的循环干的",
            "{retries} of these requests were the SDK's own retries, and {slept:.2f} s of the sleep was the SDK's (the "
            "client passed in keeps max_retries on): that work was not your loop's",
        ),
        "check.summary_sdk": Text(
            "注意：有 {n} 个场景里，是 SDK 自己的重试替你的函数做了一部分或全部工作（见“你的函数做了什么”一列）",
            "Note: in {n} scenario(s) the SDK's own retries did some or all of the work credited to your function (see "
            '"what your function did")',
        ),
        "check.hint": Text("提示：{hint}", "Hint: {hint}"),
        "check.where": Text("（第 {line} 行：{code}）", " (line {line}: {code})"),
        "check.sc.ok": Text("{faults}：服务端一切正常", "{faults}: the server answers at once"),
        "check.sc.fatal": Text("{faults}：{error}，再试多少次都一样", "{faults}: {error}; no retry can succeed"),
        "check.sc.transient": Text(
            "{faults}：短暂故障，第 {n} 次请求就会成功",
            "{faults}: a brief failure; request {n} succeeds",
        ),
        "check.sc.persistent": Text("{faults}：一直失败，不会恢复", "{faults}: fails every time, forever"),
        "check.sc.backoff": Text(
            "{faults}：服务端过载。重试前等没等？换 {runs} 个随机种子，等待时间变不变？",
            "{faults}: an overloaded server. Does it wait before retrying, and do the waits change across {runs} "
            "random seeds?",
        ),
        "check.sc.retry_after": Text(
            "{faults}：服务端让你 {asked:g} 秒后再来",
            "{faults}: the server says come back in {asked:g} s",
        ),
        "check.sc.long_retry_after": Text(
            "{faults}：服务端让你 {asked:g} 秒后再来，远远超过一次调用通常能等的时间。要么立刻抛出原来的错误，"
            "要么等满；提前重试不行",
            "{faults}: the server says come back in {asked:g} s, far longer than a call can usually wait: "
            "raise the original error at once, or wait it out; never retry sooner",
        ),
        "check.sc.stream_transient": Text(
            "{faults}：流式回复发到一半出错（SDK 不会重试这种错误），第 {n} 次请求就会成功",
            "{faults}: the stream fails halfway (the SDK never retries that); request {n} succeeds",
        ),
        "check.ok.ok": Text("返回了回复的文字", "returned the reply's text"),
        "check.ok.fatal": Text("没有重试，原样抛出了 {error}", "did not retry, and raised the {error} as it was"),
        "check.ok.transient": Text("重试之后拿到了回复", "retried, and got the reply"),
        "check.ok.persistent": Text(
            "{requests} 次请求后放弃，抛出了原来的 {error}",
            "gave up after {requests} requests and raised the original {error}",
        ),
        "check.ok.backoff": Text(
            "每次重试前都等了，而且每次运行等的时间都不一样",
            "waited before every retry, and the waits differ from run to run",
        ),
        "check.ok.retry_after": Text(
            "按 retry-after 等了 {waited:.2f} s 才重试",
            "waited {waited:.2f} s, as retry-after asked, before retrying",
        ),
        "check.ok.long_retry_after": Text(
            "等不起就不等：立刻抛出了原来的 {error}，没有白等",
            "would not wait that long: raised the original {error} at once, without sleeping",
        ),
        "check.bad.not_streaming": Text(
            "这一组测的是流式调用，你的函数发的却是普通请求",
            "this battery checks streaming, but your function sent a non-streaming request",
        ),
        "check.hint.not_streaming": Text(
            "用 client.messages.stream(...)，或者 messages.create(..., stream=True)",
            "use client.messages.stream(...), or messages.create(..., stream=True)",
        ),
        "check.bad.stopped": Text(
            "发了 {requests} 次请求还在重试，ctlab 只好叫停：这个循环没有上限，服务端一直出错时它会永远打下去",
            "still retrying after {requests} requests, so ctlab stopped it: the loop has no bound, "
            "and against a server that keeps failing it would go on forever",
        ),
        "check.hint.stopped": Text(
            "用 for attempt in range(N) 代替 while True，最后一次也失败时把错误抛出去",
            "loop over range(N) instead of while True, and raise the error when the last attempt fails too",
        ),
        "check.bad.layers": Text(
            "两层重试叠在了一起：你的循环调用了 {calls} 次 SDK，SDK 每次又自己重试，一共发了 {requests} "
            "次请求（每次请求的重试计数头：{counts}）",
            "two retry layers multiply: your loop called the SDK {calls} times and the SDK retried each call itself, "
            "{requests} requests in all (retry-count header of each: {counts})",
        ),
        "check.hint.layers": Text(
            "自己写循环时，用 client.with_options(max_retries=0) 让它成为唯一的一层；要么就别写循环，交给 SDK",
            "if you write a loop, make it the only layer with client.with_options(max_retries=0); "
            "or write no loop and let the SDK retry",
        ),
        "check.bad.too_many": Text(
            "服务端一直出错，你的函数发了 {requests} 次请求，超过了 {limit} 次：每次重试都在给已经出问题的服务端加压",
            "against a server that keeps failing, your function sent {requests} requests, more than {limit}: "
            "every retry adds load to a server already in trouble",
        ),
        "check.hint.too_many": Text("总共 3 到 5 次尝试通常就够了", "3 to 5 attempts in all is usually enough"),
        "check.bad.retried_fatal": Text(
            "{error} 再试多少次结果都一样，你的函数却发了 {requests} 次请求",
            "{error} fails the same way however often you try, yet your function sent {requests} requests",
        ),
        "check.hint.retried_fatal": Text(
            "只重试 408、409、429、5xx（含 529）、超时和连接错误；其余 4xx 立刻抛出",
            "retry only 408, 409, 429, 5xx (529 included), timeouts and connection errors; raise any other 4xx at once",
        ),
        "check.bad.swallowed": Text(
            "请求最终失败了，你的函数却返回了 {value}：调用方会以为成功了",
            "the request failed in the end, but your function returned {value}: the caller will think it worked",
        ),
        "check.hint.swallowed": Text(
            "放弃时把异常抛出去，不要 return None 或者默认值",
            "when you give up, raise; do not return None or a placeholder",
        ),
        "check.bad.lost": Text(
            "SDK 抛出的是 {expected}，你的函数抛出的却是 {raised}：原来的错误（状态码、request_id）丢了",
            "the SDK raised {expected}, but your function raised {raised}: the original error (its status, "
            "its request_id) is lost",
        ),
        "check.hint.lost": Text(
            "用一个不带参数的 raise 把原来的异常抛出去；一定要换成自己的异常，就写 raise MyError(...) from error",
            "re-raise the original with a bare raise; if you must raise your own, write raise MyError(...) from error",
        ),
        "check.bad.replaced": Text(
            "你的函数抛出的 {raised} 不是 SDK 抛出的那个异常，而是换了一个（新造的，或者换了类）："
            "按类捕获的调用方可能接不住，原来的响应、request_id 和异常链也都没了",
            "your function raised {raised}, but not the exception the SDK raised: it put another in its place (built "
            "anew, or of another class), so a caller catching by class may miss it, and the original's response, "
            "request_id and cause are gone",
        ),
        "check.bad.crashed": Text("你的代码自己出错了：{error}{where}", "your code itself failed: {error}{where}"),
        "check.hint.crashed": Text(
            "这不是 API 的故障，是代码的 bug：在 ctlab.run(...) 里单独运行它，看 sim.outcome.error",
            "this is not an API failure but a bug: run it alone with ctlab.run(...) and look at sim.outcome.error",
        ),
        "check.bad.wasted": Text(
            "最后一次请求之后又睡了 {wasted:.2f} s：已经不会再重试了，这段等待毫无意义",
            "slept {wasted:.2f} s after the final attempt: there was nothing left to wait for",
        ),
        "check.hint.wasted": Text(
            "先判断是不是最后一次，是就直接抛出，不要先睡",
            "check for the last attempt first, and raise straight away instead of sleeping",
        ),
        "check.bad.gave_up": Text(
            "这只是短暂故障，第 {n} 次请求就会成功，你的函数却在第 {requests} 次请求后放弃，抛出了 {error}",
            "a brief failure that request {n} would get past, yet your function gave up after request {requests}, "
            "raising {error}",
        ),
        "check.hint.gave_up": Text(
            "429、5xx（含 529）、超时和连接断开都值得再试。用 max_retries=0 关掉 SDK 的重试之后，这些全靠你的循环了",
            "429, 5xx (529 included), timeouts and dropped connections are all worth another try; "
            "with max_retries=0 they are all up to your loop",
        ),
        "check.hint.gave_up_stream": Text(
            "流中途断掉时（抛出 status_code 为 200 的 APIStatusError），SDK 从不重试，要你自己从头再发起一次流",
            "a stream that broke midway (an APIStatusError whose status_code is 200) is never retried by the SDK: "
            "start the stream over yourself",
        ),
        "check.bad.wrong_value": Text(
            "返回了 {value}，应该返回回复的文字 {expected}",
            "returned {value}; it should return the reply's text, {expected}",
        ),
        "check.hint.wrong_value": Text(
            "返回 response.content[0].text；流式调用就把收到的文字片段拼起来",
            "return response.content[0].text; for a stream, join the text pieces",
        ),
        "check.bad.leftovers": Text(
            "返回了 {value}：断掉的那次流里已经收到的 {partial} 也混进了答案",
            "returned {value}: the text {partial} from the stream that broke was kept in the answer",
        ),
        "check.hint.leftovers": Text(
            "每次重试都从空的缓冲区开始；真实应用里还要通知界面，把已经显示的半截内容撤掉",
            "start every attempt with an empty buffer; in a real app, also tell the UI to drop the half answer it "
            "already showed",
        ),
        "check.bad.no_backoff": Text(
            "第 {n} 次请求之前完全没有等待就重试了：服务端正忙，马上重试只会雪上加霜",
            "retried without any wait before request {n}: the server is struggling, and an instant retry only adds to "
            "it",
        ),
        "check.hint.no_backoff": Text(
            "每次重试前先睡一会儿，时间按指数增长，例如 random.uniform(0, 0.5 * 2 ** attempt)",
            "sleep before each retry, growing exponentially, e.g. random.uniform(0, 0.5 * 2 ** attempt)",
        ),
        "check.bad.no_jitter": Text(
            "换了 {runs} 个随机种子，等待时间一模一样（{waits}）：没有抖动。很多客户端一起失败时，"
            "也会在同一时刻一起重试",
            "with {runs} different random seeds the waits were identical ({waits}): no jitter. "
            "When many clients fail together, they all retry at the same moment",
        ),
        "check.hint.no_jitter": Text(
            "给退避加上随机性，例如全抖动（full jitter）：random.uniform(0, 本次的名义等待)",
            "put randomness in the backoff, e.g. full jitter: random.uniform(0, this attempt's nominal wait)",
        ),
        "check.bad.ignored_retry_after": Text(
            "服务端要求 retry-after: {asked:g}，你的函数只等了 {waited:.2f} s 就重试了",
            "the server said retry-after: {asked:g}, but your function retried after {waited:.2f} s",
        ),
        "check.hint.ignored_retry_after": Text(
            "retry-after（和 retry-after-ms）说等多久，就至少等多久；等不起就立刻抛出原来的错误，"
            "不要把等待截短后提前重试。ctlab.retry.retry_after(error) 按 SDK 的方式读这两个头",
            "wait at least as long as retry-after (and retry-after-ms) say; if you cannot wait that long, "
            "raise the original error at once instead of shortening the wait. ctlab.retry.retry_after(error) reads "
            "both headers as the SDK does",
        ),
        "check.not_callable": Text(
            "ctlab.check 要的是一个函数（像 def chat(client, messages): ... 里的 chat），收到的是 {value}",
            "ctlab.check needs a function (the chat in def chat(client, messages): ...); got {value}",
        ),
        "check.signature": Text(
            "ctlab.check 会这样调用你的函数：{name}(client, messages)；可它的签名是 {name}{signature}，"
            "接不住这两个参数",
            "ctlab.check calls your function as {name}(client, messages), but its signature is {name}{signature}, "
            "which cannot take them",
        ),
        "check.async": Text(
            "{name} 是 async 函数；ctlab.check 批改的是同步函数（传进去的 client 是同步的 anthropic.Anthropic）",
            "{name} is an async function; ctlab.check grades sync functions (the client it passes is a sync "
            "anthropic.Anthropic)",
        ),
        "check.crashed": Text(
            "服务端一切正常（200），你的函数还是出错了：{error}{where}。先修好这个 bug，其余场景没有运行",
            "the server answered 200 at once, yet your function failed: {error}{where}. Fix this bug first; "
            "the other scenarios were not run",
        ),
        "check.escaped": Text(
            "在 {scenario} 下，你的函数抛出了 {error}：except Exception 接不住它，调用方会跟着一起崩掉。"
            "其余场景没有运行",
            "under {scenario}, your function raised {error}, which gets past except Exception and takes the caller "
            "down with it. The other scenarios were not run",
        ),
        "check.hang": Text(
            "在 {scenario} 下，你的函数运行了 {limit:g} 秒（真实时间）还没结束：多半是一个既不发请求、"
            "也不睡眠的死循环，比如 while True: pass。",
            "under {scenario}, your function was still running after {limit:g} s of real time: "
            "most likely a loop that neither sends requests nor sleeps, such as while True: pass.",
        ),
        "check.hang_runaway": Text(
            "在 {scenario} 下，ctlab 在第 {requests} 次请求后叫停了你的函数，它却还在跑：不带类型的 except:（或 except "
            "BaseException:）把叫停也吞掉了，改成 except anthropic.APIError:。",
            "under {scenario}, ctlab stopped your function after {requests} requests, yet it kept going: "
            "a bare except: (or except BaseException:) swallowed the stop; catch anthropic.APIError instead.",
        ),
        "check.hang_stopped": Text(
            "ctlab 已经让它停下来了；其余场景没有运行",
            "ctlab stopped it; the other scenarios were not run",
        ),
        "check.solution": Text(
            "# 练习 {n} 的参考答案：先自己试过再看！",
            "# exercise {n}: a reference solution. Try it yourself first!",
        ),
        "check.solution_uses": Text("# 其中用到的 {name}：", "# it uses {name}:"),
    },
)
