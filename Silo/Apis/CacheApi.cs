using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Silo.Http;

namespace OrleansCache.Silo.Apis;

/// <summary>
/// The REST routes: <c>/cache/{key}</c> with GET, HEAD, PUT and DELETE, values as raw bytes, versions as
/// <c>ETag</c>s, conditional writes with <c>If-Match</c>/<c>If-None-Match</c>, expiry with <c>?ttl=S</c>.
/// </summary>
public static class CacheApi
{
    private const string Prefix = "/cache/";

    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapCacheApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cache/{**key}", GetAsync);
        app.MapMethods("/cache/{**key}", [HttpMethods.Head], HeadAsync);
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
            return Problems.NotFound($"No value is stored under '{key.Value}'.");
        }

        if (entry.Format == ValueFormat.Hash)
        {
            return Problems.WrongType(key.Value);
        }

        context.Response.Headers.ETag = Preconditions.ETag(entry.Version);
        string contentType = entry.Format == ValueFormat.Json ? "application/json" : "application/octet-stream";
        return TypedResults.Bytes(entry.Value, contentType);
    }

    private static async Task<Results<Ok, ProblemHttpResult>> HeadAsync(HttpContext context, CacheClient cache)
    {
        if (!PathKey.TryGet(context, Prefix, out var key, out var error))
        {
            return Problems.BadRequest(error!);
        }

        return await cache.ExistsAsync(key) ? TypedResults.Ok() : Problems.NotFound($"No value is stored under '{key.Value}'.");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> PutAsync(
        HttpContext context, CacheClient cache, IOptions<CacheOptions> options, CancellationToken cancellationToken)
    {
        if (!PathKey.TryGet(context, Prefix, out var key, out var error))
        {
            return Problems.BadRequest(error!);
        }

        // Everything in the head is checked before the body is read.
        if (!TimeToLive.TryRead(context.Request, out var expiry, out error)
            || !Preconditions.TryRead(context.Request, out var condition, out long version, out error))
        {
            return Problems.BadRequest(error!);
        }

        int maxValue = options.Value.MaxValueBytes;
        var value = await BodyReader.ReadAsync(context.Request, maxValue, cancellationToken);
        if (value is null)
        {
            return Problems.TooLarge(context.Request.ContentLength is { } length
                ? CacheProblems.ValueTooLarge(length, maxValue)
                : CacheProblems.ValueTooLarge(maxValue));
        }

        var result = await cache.SetAsync(
            key, new CacheValue(value, ValueFormat.Raw), new SetOptions { Expiry = expiry, Condition = condition, Version = version });
        if (!result.Written)
        {
            return Problems.PreconditionFailed(condition switch
            {
                SetCondition.IfAbsent => $"A value is already stored under '{key.Value}' (If-None-Match: *).",
                SetCondition.IfPresent => $"No value is stored under '{key.Value}' (If-Match: *).",
                _ when result.Version == 0 => $"No value is stored under '{key.Value}'; If-Match named a version of it.",
                _ => $"The value under '{key.Value}' is at version {Preconditions.ETag(result.Version)}, not the one If-Match named.",
            });
        }

        context.Response.Headers.ETag = Preconditions.ETag(result.Version);
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
            : Problems.NotFound($"No value is stored under '{key.Value}'.");
    }
}
