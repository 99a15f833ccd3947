namespace OrleansCache.Membership;

/// <summary>The node-to-node routes of the gossip membership, under <c>/_membership/</c> on the HTTP port.</summary>
public static class MembershipRoutes
{
    /// <summary>Where every route is.</summary>
    public const string Prefix = "/_membership";

    /// <summary>A gossip exchange: a digest each way.</summary>
    public const string Gossip = "gossip";

    /// <summary>A membership table call forwarded to the table host.</summary>
    public const string Table = "table";

    /// <summary>A table copy pushed by the host, or asked for.</summary>
    public const string Copy = "copy";

    /// <summary>The path of <paramref name="route"/>.</summary>
    public static string Path(string route) => $"{Prefix}/{route}";
}
