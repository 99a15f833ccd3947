using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Silo.Http;

namespace OrleansCache.Silo.Apis;

/// <summary>
/// Many keys in one request: <c>POST /mget</c> and <c>POST /mset</c>. The keys are grouped by bucket and each
/// bucket is called once.
/// </summary>
public static class BatchApi
{
    // Bodies of many values may be large, but not without bound: 64 MiB, or what one largest value needs.
    private const int MaxBatchBodyBytes = 64 * 1024 * 1024;

    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapBatchApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/mget", GetManyAsync);
        app.MapPost("/mset", SetManyAsync);
        return app;
    }

    private static async Task<Results<JsonBody, ProblemHttpResult>> GetManyAsync(
        HttpRequest request, CacheClient cache, IOptions<CacheOptions> options, CancellationToken cancellationToken)
    {
        var (document, problem) = await ReadAsync(request, options, "{\"keys\": [\"...\", ...]}", cancellationToken);
        if (document is null)
        {
            return problem!;
        }

        using (document)
        {
            if (!document.RootElement.TryGetProperty("keys", out var keysElement) || keysElement.ValueKind != JsonValueKind.Array)
            {
                return Problems.BadRequest("The body needs \"keys\": a JSON array of strings.");
            }

            var keys = new List<string>(keysElement.GetArrayLength());
            foreach (var element in keysElement.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.String)
                {
                    return Problems.BadRequest($"Every key in \"keys\" must be a JSON string; one is {Problems.Excerpt(element.GetRawText())}.");
                }

                if (!ValueJson.TryGetString(element, out var key))
                {
                    return Problems.BadRequest(ValueJson.InvalidUnicode);
                }

                keys.Add(key);
            }

            var entries = await cache.GetManyAsync(keys);
            return new JsonBody(writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartObject("values");
                for (int i = 0; i < keys.Count; i++)
                {
                    writer.WritePropertyName(keys[i]);
                    if (entries[i] is { } entry)
                    {
                        ValueJson.WriteValue(writer, entry);
                    }
                    else
                    {
                        writer.WriteNullValue();
                    }
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            });
        }
    }

    private static async Task<Results<Ok<StatusResponse>, ProblemHttpResult>> SetManyAsync(
        HttpRequest request, CacheClient cache, IOptions<CacheOptions> options, CancellationToken cancellationToken)
    {
        var (document, problem) = await ReadAsync(request, options, "{\"entries\": {\"key\": value, ...}, \"ttl\": seconds (optional)}", cancellationToken);
        if (document is null)
        {
            return problem!;
        }

        using (document)
        {
            var root = document.RootElement;
            if (!root.TryGetProperty("entries", out var entriesElement) || entriesElement.ValueKind != JsonValueKind.Object)
            {
                return Problems.BadRequest("The body needs \"entries\": a JSON object of keys and values.");
            }

            if (!JsonRequest.TryReadTimeToLive(root, out var expiry, out var error))
            {
                return Problems.BadRequest(error!);
            }

            var entries = new List<KeyValuePair<string, CacheValue>>();
            foreach (var property in entriesElement.EnumerateObject())
            {
                if (!ValueJson.TryGetName(property, out var key) || !ValueJson.TryToCacheValue(property.Value, out var value))
                {
                    return Problems.BadRequest(ValueJson.InvalidUnicode);
                }

                entries.Add(new(key, value));
            }

            await cache.SetManyAsync(entries, expiry);
            return TypedResults.Ok(new StatusResponse("OK"));
        }
    }

    private static Task<(JsonDocument? Document, ProblemHttpResult? Problem)> ReadAsync(
        HttpRequest request, IOptions<CacheOptions> options, string shape, CancellationToken cancellationToken)
    {
        int limit = Math.Max(MaxBatchBodyBytes, LegacyApi.BodyLimit(options.Value.MaxValueBytes));
        return JsonRequest.ReadObjectAsync(request, limit, $"The body is larger than the limit of {limit} bytes for a batch.", shape, cancellationToken);
    }

    private sealed record StatusResponse(string Status);
}
