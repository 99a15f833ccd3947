using Microsoft.Extensions.Options;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Grains.Batching;

/// <summary>
/// Single-key reads this node takes for keys whose primary is on another node, carried there together: the GETs
/// of every connection that arrive while the previous message to that node is on the way go in the next one
/// (<see cref="INodeGrain.GetSharesAsync"/>), where they are read from committed state without a grain call
/// each (<see cref="Storage.LocalReads"/>). Before, each was one call of its bucket grain across the network.
/// </summary>
/// <remarks>A read whose answer does not come (the message failed, or its bucket there did) is for the caller to
/// make again its own way: a read may be repeated.</remarks>
public sealed class RemoteReads(IGrainFactory grains, IOptions<CacheOptions> options) : NodeChannels<BucketKeys, CacheEntry?>(grains)
{
    // An answer holds at most 64 MiB of values at MAX_VALUE_BYTES each (64 reads at the default 1 MiB), the bound
    // a RESP connection's batch of replies has too.
    private const long MaxAnswerBytes = 64L * 1024 * 1024;

    /// <inheritdoc />
    protected override int MaxBatchItems { get; } = (int)Math.Max(1, MaxAnswerBytes / options.Value.MaxValueBytes);

    /// <summary>Reads <paramref name="key"/> of <paramref name="bucket"/> on <paramref name="node"/>.</summary>
    /// <returns>The live entry, or <see langword="null"/> on a miss.</returns>
    public Task<CacheEntry?> ReadAsync(string node, int bucket, string key) =>
        SendAsync(node, new BucketKeys(bucket, [key]), bytes: 0);

    /// <inheritdoc />
    protected override async Task<Answer[]> CarryAsync(INodeGrain target, BucketKeys[] items) =>
        AnswersOf(await target.GetSharesAsync(items), static result => new Answer(result.Entries is [var entry] ? entry : null, result.Failure));
}
