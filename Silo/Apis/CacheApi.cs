using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Silo.Http;

namespace OrleansCache.Silo.Apis;

/// <summary>
/// The REST routes: <c>/cache/{key}</c> with GET, PUT and DELETE, values as raw bytes.
/// </summary>
public static class CacheApi
{
    private const string Prefix = "/cache/";

    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapCacheApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cache/{**key}", GetAsync);
        app.MapPut("/cache/{**key}", PutAsync);
        app.MapDelete("/cache/{**key}", DeleteAsync);
        return app;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetAsync(HttpContext context, CacheClient cache)
    {
        if (!PathKey.TryGet(context, Prefix, out var key, out var error))
        {
            return Problems.BadRequest(error!);
        }

        var entry = await cache.GetAsync(key);
        if (entry is null)
        {
            return Problems.NotFound($"No value is stored under '{key}'.");
        }

        string contentType = entry.Format == ValueFormat.Json ? "application/json" : "application/octet-stream";
        return TypedResults.Bytes(entry.Value, contentType);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> PutAsync(
        HttpContext context, CacheClient cache, IOptions<CacheOptions> options, CancellationToken cancellationToken)
    {
        if (!PathKey.TryGet(context, Prefix, out var key, out var error))
        {
            return Problems.BadRequest(error!);
        }

        if (CacheKeys.Validate(key) is { } problem)
        {
            return Problems.BadRequest(problem);
        }

        int maxValue = options.Value.MaxValueBytes;
        var value = await BodyReader.ReadAsync(context.Request, maxValue, cancellationToken);
        if (value is null)
        {
            return Problems.TooLarge($"The value is larger than MAX_VALUE_BYTES ({maxValue}).");
        }

        await cache.SetAsync(key, value);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(HttpContext context, CacheClient cache)
    {
        if (!PathKey.TryGet(context, Prefix, out var key, out var error))
        {
            return Problems.BadRequest(error!);
        }

        return await cache.DeleteAsync(key)
            ? TypedResults.NoContent()
            : Problems.NotFound($"No value is stored under '{key}'.");
    }
}
