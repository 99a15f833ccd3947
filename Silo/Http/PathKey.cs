using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.Features;
using OrleansCache.ClientLibrary;

namespace OrleansCache.Silo.Http;

/// <summary>
/// Takes the key from the request's raw target, after a route prefix such as <c>/cache/</c>.
/// </summary>
/// <remarks>
/// The raw target, not the routed value: ASP.NET decodes every escape but <c>%2F</c>, and normalizes
/// <c>.</c> and <c>..</c> segments, so keys like <c>a/../b</c> or <c>x%2Fy</c> would otherwise arrive
/// changed. Here every <c>%XX</c> is decoded once, <c>/</c> stays as sent, and the bytes become a
/// <see cref="CacheKey"/>, checked (1 to 1024 bytes of UTF-8) and hashed once.
/// </remarks>
internal static class PathKey
{
    /// <summary>Returns the key after <paramref name="prefix"/>, or an error message.</summary>
    public static bool TryGet(HttpContext context, string prefix, out CacheKey key, [NotNullWhen(false)] out string? error)
    {
        key = default;
        string target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? string.Empty;
        int query = target.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? target.AsSpan() : target.AsSpan(0, query);
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            error = $"The key must follow '{prefix}' in the path.";
            return false;
        }

        var encoded = path[prefix.Length..];

        // Decoding never lengthens the text, so the encoded length bounds the decoded bytes.
        Span<byte> bytes = encoded.Length <= 4096 ? stackalloc byte[encoded.Length] : new byte[encoded.Length];
        int length = 0;
        for (int i = 0; i < encoded.Length; i++)
        {
            char c = encoded[i];
            if (c == '%')
            {
                if (i + 2 >= encoded.Length || !IsHex(encoded[i + 1]) || !IsHex(encoded[i + 2]))
                {
                    error = $"The key has a malformed escape at position {i}; write '%' as '%25'.";
                    return false;
                }

                bytes[length++] = (byte)((HexValue(encoded[i + 1]) << 4) | HexValue(encoded[i + 2]));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes[length++] = (byte)c;
            }
            else
            {
                error = "The key holds a character that is not percent-encoded.";
                return false;
            }
        }

        return CacheKey.TryCreate(bytes[..length], out key, out error);
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
