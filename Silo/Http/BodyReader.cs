using System.Buffers;

namespace OrleansCache.Silo.Http;

/// <summary>
/// Reads a request body up to a limit, refusing a larger one as soon as that is known: at once from
/// <c>Content-Length</c>, or after the limit + 1 bytes of a chunked body.
/// </summary>
internal static class BodyReader
{
    /// <summary>Returns the whole body, or <see langword="null"/> when it is longer than <paramref name="limit"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        long? declared = request.ContentLength;
        if (declared > limit)
        {
            return null;
        }

        if (declared is { } exact)
        {
            // Known length: read straight into an array of the final size, no copy.
            var body = new byte[exact];
            await request.Body.ReadExactlyAsync(body, cancellationToken);
            return body;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, 64 * 1024));
        try
        {
            int length = 0;
            while (true)
            {
                int read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    return buffer.AsSpan(0, length).ToArray();
                }

                length += read;
                if (length > limit)
                {
                    return null;
                }

                if (length == buffer.Length)
                {
                    // Still within the limit, so the buffer is at most `limit` long and can grow to limit + 1.
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, limit + 1L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
