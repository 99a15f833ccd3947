using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Silo.Http;
using OrleansCache.Silo.Security;

namespace OrleansCache.Silo.Apis;

/// <summary>
/// Many keys in one request: <c>POST /mget</c> and <c>POST /mset</c>. The keys are grouped by bucket and each
/// bucket is called once.
/// </summary>
public static class BatchApi
{
    /// <summary>Most keys one <c>/mget</c> or <c>/mset</c> may name (413 beyond); Redis has no such cap, but a
    /// request must not cost a node without bound, and 10,000 keys is already one call to every bucket.</summary>
    public const int MaxBatchKeys = 10_000;

    /// <summary>Most bytes of values one <c>/mget</c> answers with (413 beyond), and the largest body of
    /// either route (or what one largest value needs, if more): <see cref="BoundedReads.MaxBytes"/>.</summary>
    public const int MaxBatchBytes = BoundedReads.MaxBytes;

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

            if (keysElement.GetArrayLength() > MaxBatchKeys)
            {
                return TooManyKeys(keysElement.GetArrayLength());
            }

            // The answer is a JSON object, whose names are unique: a key named twice is read and written once.
            var keys = new List<CacheKey>(keysElement.GetArrayLength());
            var named = new HashSet<string>(StringComparer.Ordinal);
            foreach (var element in keysElement.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.String)
                {
                    return Problems.BadRequest($"Every key in \"keys\" must be a JSON string; one is {Problems.Excerpt(element.GetRawText())}.");
                }

                if (!ValueJson.TryGetString(element, out var text))
                {
                    return Problems.BadRequest(ValueJson.InvalidUnicode);
                }

                if (!CacheKey.TryCreate(text, out var key, out var keyProblem))
                {
                    return Problems.BadRequest(keyProblem);
                }

                if (named.Add(text))
                {
                    keys.Add(key);
                }
            }

            var entries = await BoundedReads.GetManyAsync(cache, keys, options.Value.MaxValueBytes);
            if (entries is null)
            {
                return Problems.TooLarge($"The values of these keys are larger than the limit of {MaxBatchBytes} bytes for one /mget; ask for fewer keys at a time.");
            }

            return new JsonBody(writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartObject("values");
                for (int i = 0; i < keys.Count; i++)
                {
                    writer.WritePropertyName(keys[i].Value);
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

            var entries = new List<KeyValuePair<CacheKey, CacheValue>>();
            foreach (var property in entriesElement.EnumerateObject())
            {
                if (entries.Count == MaxBatchKeys)
                {
                    return TooManyKeys(entriesElement.EnumerateObject().Count());
                }

                if (!ValueJson.TryGetName(property, out var text) || !ValueJson.TryToCacheValue(property.Value, out var value))
                {
                    return Problems.BadRequest(ValueJson.InvalidUnicode);
                }

                if (!CacheKey.TryCreate(text, out var key, out var keyProblem))
                {
                    return Problems.BadRequest(keyProblem);
                }

                entries.Add(new(key, value));
            }

            await cache.SetManyAsync(entries, expiry);
            return TypedResults.Ok(new StatusResponse("OK"));
        }
    }

    private static ProblemHttpResult TooManyKeys(int count) =>
        Problems.TooLarge($"A batch may name at most {MaxBatchKeys} keys; this one names {count}.");

    private static Task<(JsonDocument? Document, ProblemHttpResult? Problem)> ReadAsync(
        HttpRequest request, IOptions<CacheOptions> options, string shape, CancellationToken cancellationToken)
    {
        int limit = Math.Max(MaxBatchBytes, LegacyApi.BodyLimit(options.Value.MaxValueBytes));
        return JsonRequest.ReadObjectAsync(request, limit, $"The body is larger than the limit of {limit} bytes for a batch.", shape, cancellationToken);
    }

    private sealed record StatusResponse(string Status);
}
