namespace OrleansCache.Grains.Interfaces.Routing;

/// <summary>
/// Packs a bucket number and a replica rank into the integer key of an <see cref="IReplicaGrain"/>.
/// </summary>
/// <remarks>Rank 1 is the first replica (on the bucket's successor), rank 2 the next, and so on;
/// rank 0 is the primary, which is an <see cref="IBucketGrain"/> and never a replica.</remarks>
public static class ReplicaKey
{
    /// <summary>Returns the grain key of replica <paramref name="rank"/> of <paramref name="bucket"/>.</summary>
    public static long Create(int bucket, int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bucket);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rank);
        return ((long)rank << 32) | (uint)bucket;
    }

    /// <summary>Returns the bucket encoded in a replica grain key.</summary>
    public static int GetBucket(long key) => (int)(key & 0xFFFF_FFFF);

    /// <summary>Returns the rank encoded in a replica grain key.</summary>
    public static int GetRank(long key) => (int)(key >> 32);
}
