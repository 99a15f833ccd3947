using System.Globalization;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Http;

/// <summary>
/// The <c>ttl</c> of the HTTP API: a whole number of seconds, 1 to 100 years, in a query (<c>?ttl=S</c>) or a
/// body (<c>"ttl": S</c>). What is not a whole number is refused here in HTTP's words; a number out of range in
/// <see cref="CacheExpiry.Validate"/>'s, the words the facade refuses it with at every door.
/// </summary>
internal static class TimeToLive
{
    private static readonly long MaxSeconds = (long)CacheExpiry.MaxTimeToLive.TotalSeconds;

    // TimeSpan's range in seconds: a number beyond it is clamped to it, which is out of range all the same.
    private static readonly long TimeSpanSeconds = (long)TimeSpan.MaxValue.TotalSeconds;

    /// <summary>Reads <c>?ttl=</c>; no parameter means no expiry.</summary>
    public static bool TryRead(HttpRequest request, out CacheExpiry? expiry, out string? error)
    {
        expiry = null;
        error = null;
        var values = request.Query["ttl"];
        if (values.Count == 0)
        {
            return true;
        }

        if (values.Count > 1 || !long.TryParse(values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds))
        {
            error = $"ttl must be a whole number of seconds from 1 to {MaxSeconds}; it is '{Problems.Excerpt(values.ToString())}'.";
            return false;
        }

        return TryCreate(seconds, out expiry, out error);
    }

    /// <summary>Turns <paramref name="seconds"/> into an expiry, or says why it cannot be one.</summary>
    public static bool TryCreate(long seconds, out CacheExpiry? expiry, out string? error)
    {
        var asked = CacheExpiry.After(TimeSpan.FromSeconds(Math.Clamp(seconds, -TimeSpanSeconds, TimeSpanSeconds)));
        error = asked.Validate();
        expiry = error is null ? asked : null;
        return error is null;
    }
}
