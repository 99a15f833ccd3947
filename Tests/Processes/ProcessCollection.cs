namespace OrleansCache.Tests.Processes;

/// <summary>
/// Real-process tests run one at a time: each starts several nodes, and a 2-core machine running
/// two such tests at once measures the machine, not the product.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "real processes";
}
