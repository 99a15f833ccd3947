using System.Text;

namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// The rules a key must follow: 1 to <see cref="MaxKeyBytes"/> bytes of valid UTF-8. Any character is
/// allowed, <c>/</c> and spaces included.
/// </summary>
public static class CacheKeys
{
    /// <summary>Largest key, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Returns why <paramref name="key"/> is not a valid key, or <see langword="null"/> when it is.</summary>
    public static string? Validate(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "The key is empty; a key is 1 to 1024 bytes of UTF-8.";
        }

        int byteCount;
        try
        {
            byteCount = StrictUtf8.GetByteCount(key);
        }
        catch (EncoderFallbackException)
        {
            return "The key is not valid UTF-8 text (it holds a lone surrogate).";
        }

        return byteCount > MaxKeyBytes
            ? $"The key is {byteCount} bytes of UTF-8; the limit is {MaxKeyBytes}."
            : null;
    }
}
