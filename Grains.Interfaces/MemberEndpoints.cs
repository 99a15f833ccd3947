namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// Where a member listens.
/// </summary>
/// <param name="Silo">Silo-to-silo endpoint, <c>ip:port</c>.</param>
/// <param name="Gateway">Orleans client gateway endpoint, <c>ip:port</c>.</param>
/// <param name="Http">Base URL of its HTTP API and dashboard.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.MemberEndpoints")]
public sealed record MemberEndpoints(
    [property: Id(0)] string Silo,
    [property: Id(1)] string Gateway,
    [property: Id(2)] string Http);
