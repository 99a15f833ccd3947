using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace OrleansCache.Silo.Http;

/// <summary>
/// Reads a JSON object body up to a limit, whatever the Content-Type (the original client sends none),
/// and says exactly what is wrong with one that is not.
/// </summary>
internal static class JsonRequest
{
    /// <summary>Returns the body's root object, or the problem to answer: 413 past <paramref name="limit"/>, 400
    /// when it is not JSON or not an object. The caller disposes the document.</summary>
    /// <param name="request">The request.</param>
    /// <param name="limit">The largest body read, in bytes.</param>
    /// <param name="tooLarge">The detail of the 413.</param>
    /// <param name="shape">The object expected, shown in the 400 for a body that is not an object.</param>
    /// <param name="cancellationToken">Cancelled when the client goes away.</param>
    public static async Task<(JsonDocument? Document, ProblemHttpResult? Problem)> ReadObjectAsync(
        HttpRequest request, int limit, string tooLarge, string shape, CancellationToken cancellationToken)
    {
        var body = await BodyReader.ReadAsync(request, limit, cancellationToken);
        if (body is null)
        {
            return (null, Problems.TooLarge(tooLarge));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return (null, Problems.BadRequest($"The body is not valid JSON: {e.Message}"));
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, Problems.BadRequest($"The body must be a JSON object: {shape}."));
        }

        return (document, null);
    }

    /// <summary>Reads the optional <c>"ttl"</c> of a write's body: a whole number of seconds.</summary>
    public static bool TryReadTimeToLive(JsonElement root, out Grains.Interfaces.CacheExpiry? expiry, out string? error)
    {
        expiry = null;
        error = null;
        if (!root.TryGetProperty("ttl", out var ttl) || ttl.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (ttl.ValueKind != JsonValueKind.Number || !ttl.TryGetInt64(out long seconds))
        {
            error = $"\"ttl\" must be a whole number of seconds; it is {Problems.Excerpt(ttl.GetRawText())}.";
            return false;
        }

        return TimeToLive.TryCreate(seconds, out expiry, out error);
    }
}
