namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// The rule a key must follow: 1 to <see cref="MaxKeyBytes"/> bytes of valid UTF-8. Any character is
/// allowed, <c>/</c> and spaces included. The client library's <c>CacheKey</c> is the one place that checks it;
/// <see cref="CacheProblems"/> holds the words for a key that breaks it.
/// </summary>
public static class CacheKeys
{
    /// <summary>Largest key, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 1024;
}
