namespace OrleansCache.Tests.Infrastructure;

/// <summary>Waits for a condition by polling it, with a deadline; never a bare sleep.</summary>
public static class Poll
{
    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> at the deadline.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        UntilAsync(condition, timeout, () => what);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with what <paramref name="describe"/> says at the deadline.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition().WaitAsync(timeout))
                {
                    return;
                }
            }
            catch (Exception e) when (e is not TimeoutException)
            {
                last = e;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Not within {timeout.TotalSeconds:0.#} s: {describe()}.", last);
    }
}
