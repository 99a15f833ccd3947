using System.Buffers;
using System.Text.Json;

namespace OrleansCache.Silo.Http;

/// <summary>
/// Writes a JSON response body with a <see cref="Utf8JsonWriter"/>, for responses whose shape depends
/// on stored values (raw JSON or strings) and so cannot be a plain serialized object.
/// </summary>
internal sealed class JsonBody(Action<Utf8JsonWriter> write) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        httpContext.Response.ContentType = "application/json; charset=utf-8";
        httpContext.Response.ContentLength = buffer.WrittenCount;
        await httpContext.Response.Body.WriteAsync(buffer.WrittenMemory);
    }
}
