namespace OrleansCache.Client;

/// <summary>
/// What a bench loop calls: the cache through the Orleans client, or a Redis server through
/// StackExchange.Redis, so both are measured by the same loops, histograms and table.
/// </summary>
internal interface IBenchTarget
{
    /// <summary>What the summary's first line names, e.g. <c>127.0.0.1:30000</c>.</summary>
    string Name { get; }

    /// <summary>Reads <paramref name="key"/>; <see langword="true"/> when it was found.</summary>
    Task<bool> GetAsync(string key);

    /// <summary>Writes the bench's value under <paramref name="key"/>.</summary>
    Task SetAsync(string key);
}
