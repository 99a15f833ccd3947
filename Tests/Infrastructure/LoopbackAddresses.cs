namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// Hands out distinct loopback addresses (127.0.0.10, .11, ...) so every node a test run starts has
/// its own address and the same ports, as containers would.
/// </summary>
public static class LoopbackAddresses
{
    private static int _next = 9;

    /// <summary>Returns an address no other node of this test run uses.</summary>
    public static string Next()
    {
        int n = Interlocked.Increment(ref _next);
        return n < 255
            ? $"127.0.0.{n}"
            : throw new InvalidOperationException("A test run starts at most 245 nodes.");
    }
}
