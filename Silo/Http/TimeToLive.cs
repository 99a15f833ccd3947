using System.Globalization;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Http;

/// <summary>
/// The <c>ttl</c> of the HTTP API: a whole number of seconds, 1 to 100 years, in a query (<c>?ttl=S</c>) or a
/// body (<c>"ttl": S</c>).
/// </summary>
internal static class TimeToLive
{
    private static readonly long MaxSeconds = (long)CacheExpiry.MaxTimeToLive.TotalSeconds;

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

        if (values.Count > 1 || !long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out long seconds))
        {
            error = $"ttl must be a whole number of seconds from 1 to {MaxSeconds}; it is '{Problems.Excerpt(values.ToString())}'.";
            return false;
        }

        return TryCreate(seconds, out expiry, out error);
    }

    /// <summary>Turns <paramref name="seconds"/> into an expiry, or says why it cannot be one.</summary>
    public static bool TryCreate(long seconds, out CacheExpiry? expiry, out string? error)
    {
        expiry = null;
        error = seconds is < 1 || seconds > MaxSeconds
            ? $"ttl must be a whole number of seconds from 1 to {MaxSeconds}; it is {seconds}."
            : null;
        if (error is null)
        {
            expiry = CacheExpiry.After(TimeSpan.FromSeconds(seconds));
        }

        return error is null;
    }
}
