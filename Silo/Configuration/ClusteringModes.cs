namespace OrleansCache.Silo.Configuration;

/// <summary>The values <c>CLUSTERING</c> accepts.</summary>
public static class ClusteringModes
{
    /// <summary>Nodes find each other from their linked node (the embedded default).</summary>
    public const string Gossip = "gossip";
}
