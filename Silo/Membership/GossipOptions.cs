namespace OrleansCache.Silo.Membership;

/// <summary>
/// Timing of the embedded gossip membership. Not environment settings: the defaults are tuned for
/// nodes on one LAN (or one machine), where a round trip takes well under a millisecond.
/// </summary>
public sealed class GossipOptions
{
    /// <summary>How often a node exchanges its view with the table host and one random peer.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Silence after which a node is taken for dead by the gossip layer: 8 missed rounds (a node
    /// whose address refuses a connection is taken for dead at once). Only decides who hosts the table;
    /// Orleans' own probes decide when a silo is dead.</summary>
    public TimeSpan FailAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a new node's view must stop growing before it may elect a table host, so nodes
    /// started together learn of each other first (a ring of 5 converges in about 4 rounds).</summary>
    public TimeSpan Settle { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Timeout of one gossip or table call to another node.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a node keeps trying to reach a cluster before it gives up starting.</summary>
    public TimeSpan JoinTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long an unreachable node stays in the gossiped view before it is forgotten.</summary>
    public TimeSpan ForgetAfter { get; set; } = TimeSpan.FromMinutes(10);
}
