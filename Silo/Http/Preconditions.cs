using System.Globalization;
using Microsoft.Net.Http.Headers;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Http;

/// <summary>
/// Conditional writes over HTTP: an entry's version is its <c>ETag</c>; <c>If-Match: "v"</c> writes only over
/// that version (compare-and-set), <c>If-Match: *</c> only over an existing key, <c>If-None-Match: *</c> only
/// when the key is absent.
/// </summary>
internal static class Preconditions
{
    /// <summary>The <c>ETag</c> of an entry of <paramref name="version"/>.</summary>
    public static string ETag(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    /// <summary>Reads the request's conditions into set options, or says why they cannot be used.</summary>
    public static bool TryRead(HttpRequest request, out SetCondition condition, out long version, out string? error)
    {
        condition = SetCondition.Always;
        version = 0;
        error = null;
        var ifMatch = request.Headers.IfMatch;
        var ifNoneMatch = request.Headers.IfNoneMatch;
        if (ifMatch.Count > 0 && ifNoneMatch.Count > 0)
        {
            error = "Send If-Match or If-None-Match, not both.";
        }
        else if (ifNoneMatch.Count > 0)
        {
            condition = SetCondition.IfAbsent;
            error = ifNoneMatch.ToString().Trim() == "*" ? null : "If-None-Match on a write supports only *: write only if the key is absent.";
        }
        else if (ifMatch.Count > 0)
        {
            error = TryReadIfMatch(ifMatch.ToString(), out condition, out version);
        }

        return error is null;
    }

    private static string? TryReadIfMatch(string header, out SetCondition condition, out long version)
    {
        condition = SetCondition.IfVersion;
        version = -1;
        if (header.Trim() == "*")
        {
            condition = SetCondition.IfPresent;
            return null;
        }

        if (!EntityTagHeaderValue.TryParseStrictList([header], out var tags) || tags.Count != 1 || tags[0].IsWeak)
        {
            return $"If-Match must be * or one strong ETag such as \"42\", as GET returns it; it is '{Problems.Excerpt(header)}'.";
        }

        // An ETag this API never issued matches no entry: the write fails its condition (412).
        var tag = tags[0].Tag.AsSpan().Trim('"');
        if (!long.TryParse(tag, NumberStyles.None, CultureInfo.InvariantCulture, out version))
        {
            version = -1;
        }

        return null;
    }
}
