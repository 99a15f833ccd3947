namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// The words for a refused key or value, in one place, so that HTTP (a problem+json <c>detail</c>), RESP
/// (<c>ERR &lt;text&gt;</c>), the console client (its one-line reason) and <see cref="CacheArgumentException"/> say
/// the same thing for the same mistake. RESP keeps Redis's own words where Redis defines some (a counter that is
/// not an integer, an invalid expire time); the README lists that mapping.
/// </summary>
public static class CacheProblems
{
    /// <summary>An empty key.</summary>
    public const string EmptyKey = "The key is empty; a key is 1 to 1024 bytes of UTF-8.";

    /// <summary>A key whose bytes are not UTF-8, or text that cannot be UTF-8 (it holds a lone surrogate).</summary>
    public const string KeyNotUtf8 = "The key is not valid UTF-8; a key is 1 to 1024 bytes of UTF-8.";

    /// <summary>A key longer than <see cref="CacheKeys.MaxKeyBytes"/>.</summary>
    /// <param name="utf8Bytes">Its length in UTF-8 bytes.</param>
    public static string KeyTooLong(long utf8Bytes) => $"The key is {utf8Bytes} bytes of UTF-8; the limit is {CacheKeys.MaxKeyBytes}.";

    /// <summary>A value longer than <c>MAX_VALUE_BYTES</c>.</summary>
    /// <param name="bytes">Its length.</param>
    /// <param name="maxValueBytes">The cluster's <c>MAX_VALUE_BYTES</c>.</param>
    public static string ValueTooLarge(long bytes, int maxValueBytes) =>
        $"The value is {bytes} bytes; the limit is {maxValueBytes} (MAX_VALUE_BYTES).";

    /// <summary>A value found longer than <c>MAX_VALUE_BYTES</c> before its end (a chunked HTTP body).</summary>
    /// <param name="maxValueBytes">The cluster's <c>MAX_VALUE_BYTES</c>.</param>
    public static string ValueTooLarge(int maxValueBytes) =>
        $"The value is over {maxValueBytes} bytes; the limit is {maxValueBytes} (MAX_VALUE_BYTES).";

    /// <summary>A string operation on a hash, or a hash operation on a string, in Redis's words.</summary>
    public const string WrongType = "Operation against a key holding the wrong kind of value";
}
