namespace OrleansCache.Silo.Configuration;

/// <summary>The values <c>CLUSTERING</c> accepts.</summary>
public static class ClusteringModes
{
    /// <summary>Nodes find each other from their linked node (the embedded default).</summary>
    public const string Gossip = "gossip";

    /// <summary>
    /// Membership is kept in PostgreSQL through Orleans' ADO.NET clustering provider (the production choice);
    /// needs <c>ADONET_CONNECTION_STRING</c>.
    /// </summary>
    public const string AdoNet = "adonet";
}
