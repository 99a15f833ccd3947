using Microsoft.Extensions.Options;
using OrleansCache.Grains.Interfaces.Routing;

namespace OrleansCache.Grains;

/// <summary>
/// Refuses settings the data path cannot work with, naming the environment variable to fix.
/// </summary>
public sealed class CacheOptionsValidator : IValidateOptions<CacheOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, CacheOptions options)
    {
        var failures = new List<string>();
        if (!KeyHasher.IsValidBucketCount(options.Buckets))
        {
            // Each bucket is the same whole number of the 16384 hash slots, so that Redis clients route by slot.
            failures.Add($"BUCKETS must be a power of two from 1 to {CacheOptions.MaxBuckets} (1, 2, 4, ... 1024, ... 16384), so that each bucket is an equal range of the {KeyHasher.Slots} hash slots; it is {options.Buckets}.");
        }

        if (options.ReplicationFactor is < 1 or > 5)
        {
            failures.Add($"REPLICATION_FACTOR must be between 1 and 5; it is {options.ReplicationFactor}.");
        }

        if (options.MaxValueBytes is < 1 or > CacheOptions.MaxMaxValueBytes)
        {
            failures.Add($"MAX_VALUE_BYTES must be between 1 and {CacheOptions.MaxMaxValueBytes}; it is {options.MaxValueBytes}.");
        }

        if (options.MaxMemoryBytes < CacheOptions.MinMaxMemoryBytes)
        {
            failures.Add($"MAX_MEMORY_BYTES must be at least {CacheOptions.MinMaxMemoryBytes} (1 MiB); it is {options.MaxMemoryBytes}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
