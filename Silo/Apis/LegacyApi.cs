using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Storage;
using OrleansCache.Silo.Http;

namespace OrleansCache.Silo.Apis;

/// <summary>
/// The routes of the Python cache this one replaces, with the same request and response shapes, so
/// its clients keep working: <c>/ping</c>, <c>/set</c>, <c>/get/{key}</c> and <c>/dump-content</c>.
/// </summary>
public static class LegacyApi
{
    // A JSON string may escape each byte of the value as six (\u0001 for a control character; encoders
    // that write ASCII only, like Python's json.dumps by default, send the two bytes of "é" as \u00e9).
    // Six times the value plus room for the key refuses absurd bodies before reading them while accepting
    // every value up to the limit (twice refused 700 KiB of Cyrillic text as the Python client sends it).
    private const int EscapedBytesPerValueByte = 6;
    private const int BodyOverheadBytes = 16 * 1024;

    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapLegacyApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ping", () => TypedResults.Ok(new PingResponse("cache-node", "OK")));
        app.MapPost("/set", SetAsync);
        app.MapGet("/get/{**key}", GetAsync);
        app.MapGet("/dump-content", DumpAsync);
        return app;
    }

    private static async Task<Results<Ok<StatusResponse>, ProblemHttpResult>> SetAsync(
        HttpRequest request, CacheClient cache, Microsoft.Extensions.Options.IOptions<CacheOptions> options, CancellationToken cancellationToken)
    {
        int maxValue = options.Value.MaxValueBytes;
        var (document, problem) = await JsonRequest.ReadObjectAsync(
            request,
            BodyLimit(maxValue),
            $"The body is larger than a value of MAX_VALUE_BYTES ({maxValue}) can need.",
            "{\"key\": \"...\", \"value\": ..., \"ttl\": seconds (optional)}",
            cancellationToken);
        if (document is null)
        {
            return problem!;
        }

        using (document)
        {
            var root = document.RootElement;
            if (!root.TryGetProperty("key", out var keyElement) || keyElement.ValueKind != JsonValueKind.String)
            {
                return Problems.BadRequest("The body needs a \"key\" that is a JSON string.");
            }

            if (!root.TryGetProperty("value", out var valueElement))
            {
                return Problems.BadRequest("The body needs a \"value\".");
            }

            if (!JsonRequest.TryReadTimeToLive(root, out var expiry, out var error))
            {
                return Problems.BadRequest(error!);
            }

            if (!ValueJson.TryRead(keyElement, valueElement, out var text, out var value))
            {
                return Problems.BadRequest(ValueJson.InvalidUnicode);
            }

            if (!CacheKey.TryCreate(text, out var key, out var keyProblem))
            {
                return Problems.BadRequest(keyProblem);
            }

            await cache.SetAsync(key, value, new SetOptions { Expiry = expiry });
            return TypedResults.Ok(new StatusResponse("OK"));
        }
    }

    /// <summary>The largest body a write of values up to <paramref name="maxValue"/> bytes can need.</summary>
    internal static int BodyLimit(int maxValue) =>
        (int)Math.Min(EscapedBytesPerValueByte * (long)maxValue + BodyOverheadBytes, Array.MaxLength - 1); // The reader may hold limit + 1 bytes.

    private static async Task<Results<JsonBody, ProblemHttpResult>> GetAsync(HttpContext context, CacheClient cache)
    {
        if (!PathKey.TryGet(context, "/get/", out var key, out var error))
        {
            return Problems.BadRequest(error!);
        }

        var entry = await cache.GetAsync(key);
        return new JsonBody(writer =>
        {
            writer.WriteStartObject();
            writer.WritePropertyName("value");
            if (entry is null)
            {
                writer.WriteNullValue();
            }
            else if (!ValueJson.WriteValue(writer, entry))
            {
                writer.WriteString("encoding", "base64");
            }

            writer.WriteEndObject();
        });
    }

    // Streams every entry held here, primary and replica copies, one bucket at a time, so the node holds one
    // bucket's copy and a flush's worth of JSON at most, not the whole node twice over (a node of 10 GB
    // would otherwise build 10 GB of snapshot and more of JSON). Buckets in order, each one's keys sorted
    // (ordinal), so the same content always prints the same way. A replica whose primary is also here
    // holds the same keys: it is written once.
    private static async Task DumpAsync(HttpContext context, IGrainFactory grains, LocalBucketCatalog catalog)
    {
        var primaries = catalog.Primaries.Order().ToArray();
        var replicas = catalog.Replicas.Except(primaries).Order().ToArray();
        var response = context.Response;
        response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(response.BodyWriter);
        writer.WriteStartObject();
        for (int i = 0; i < primaries.Length + replicas.Length; i++)
        {
            BucketSnapshot? snapshot;
            try
            {
                snapshot = i < primaries.Length
                    ? await grains.GetGrain<IBucketGrain>(primaries[i]).GetSnapshotAsync()
                    : await grains.GetGrain<IReplicaGrain>(replicas[i - primaries.Length]).GetSnapshotAsync();
            }
            catch (Exception) when (response.HasStarted)
            {
                // Too late for an error status: cut the answer short, so the client sees a broken body
                // rather than a dump silently missing a bucket.
                context.Abort();
                return;
            }

            if (snapshot is null)
            {
                continue;
            }

            var keys = snapshot.Entries.Keys.ToArray();
            Array.Sort(keys, StringComparer.Ordinal);
            foreach (var key in keys)
            {
                writer.WritePropertyName(key);
                ValueJson.WriteValue(writer, snapshot.Entries[key]);
            }

            // Hands the bucket's JSON to the connection and waits while the client is slower than the node.
            writer.Flush();
            await response.BodyWriter.FlushAsync(context.RequestAborted);
        }

        writer.WriteEndObject();
        writer.Flush();
    }

    private sealed record PingResponse(string Service, string Status);

    private sealed record StatusResponse(string Status);
}
