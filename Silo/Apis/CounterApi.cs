using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansCache.ClientLibrary;
using OrleansCache.Silo.Http;

namespace OrleansCache.Silo.Apis;

/// <summary>
/// <c>POST /incr/{key}?by=N</c>: an atomic 64-bit counter (Redis <c>INCRBY</c>; a negative <c>by</c> decrements).
/// </summary>
public static class CounterApi
{
    private const string Prefix = "/incr/";

    /// <summary>Maps the route.</summary>
    public static IEndpointRouteBuilder MapCounterApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/incr/{**key}", IncrementAsync);
        return app;
    }

    private static async Task<Results<Ok<CounterResponse>, ProblemHttpResult>> IncrementAsync(HttpContext context, CacheClient cache)
    {
        if (!PathKey.TryGet(context, Prefix, out var key, out var error))
        {
            return Problems.BadRequest(error!);
        }

        long by = 1;
        var values = context.Request.Query["by"];
        if (values.Count > 0
            && (values.Count > 1 || !long.TryParse(values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out by)))
        {
            return Problems.BadRequest($"by must be a 64-bit whole number; it is '{Problems.Excerpt(values.ToString())}'.");
        }

        return TypedResults.Ok(new CounterResponse(await cache.IncrementAsync(key, by)));
    }

    private sealed record CounterResponse(long Value);
}
