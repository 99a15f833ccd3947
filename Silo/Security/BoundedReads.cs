using OrleansCache.ClientLibrary;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Security;

/// <summary>
/// Reads of many keys whose answer a node must hold at once (<c>POST /mget</c>, Redis <c>MGET</c>), bounded
/// in bytes: asked for 20,000 copies of one 1 MiB key in one request, a node once went to 4.4 GB and
/// stopped answering.
/// </summary>
public static class BoundedReads
{
    /// <summary>Most bytes of values one read of many keys answers with: 64 MiB (or one largest value, if more).</summary>
    public const int MaxBytes = 64 * 1024 * 1024;

    /// <summary>
    /// Reads the keys' entries a share at a time, so that what is held never passes <see cref="MaxBytes"/> by
    /// more than one share: a share asks for as many keys as the bytes left could hold at the largest value
    /// size. Returns <see langword="null"/> as soon as the values read pass the limit.
    /// </summary>
    public static async Task<CacheEntry?[]?> GetManyAsync(CacheClient cache, IReadOnlyList<CacheKey> keys, int maxValueBytes)
    {
        if (keys.Count == 0)
        {
            // The facade refuses an empty batch, with the same words at every door.
            return await cache.GetManyAsync(Array.Empty<CacheKey>());
        }

        // One largest value is always answerable, even when MAX_VALUE_BYTES is above the batch limit.
        long limit = Math.Max(MaxBytes, maxValueBytes);
        var entries = new CacheEntry?[keys.Count];
        long bytes = 0;
        int next = 0;
        while (next < keys.Count)
        {
            long left = limit - bytes;
            int share = (int)Math.Clamp(left / Math.Max(1, maxValueBytes), 1, keys.Count - next);
            var read = await cache.GetManyAsync(Slice(keys, next, share));
            for (int i = 0; i < read.Length; i++)
            {
                bytes += read[i]?.Value.Length ?? 0;
                entries[next + i] = read[i];
            }

            if (bytes > limit)
            {
                return null;
            }

            next += share;
        }

        return entries;
    }

    private static List<CacheKey> Slice(IReadOnlyList<CacheKey> keys, int start, int count)
    {
        var slice = new List<CacheKey>(count);
        for (int i = start; i < start + count; i++)
        {
            slice.Add(keys[i]);
        }

        return slice;
    }
}
