namespace OrleansCache.Membership;

/// <summary>
/// Timing of the embedded gossip membership. Not environment settings: the defaults are tuned for
/// nodes on one LAN (or one machine), where a round trip takes well under a millisecond.
/// </summary>
public sealed class GossipOptions
{
    /// <summary>How often a node exchanges its view with the table host and one random peer.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Silence after which a node is taken for dead by the gossip layer: 20 missed rounds (a node
    /// whose address refuses a connection is taken for dead at once, as a killed process on a live host is).
    /// Only decides who hosts the table; Orleans' own probes decide when a silo is dead. At 2 s, ten nodes
    /// starting on two cores starved each other past it: live hosts were taken over, from copies that missed
    /// the latest rows, and the cluster churned for a minute before it settled.</summary>
    public TimeSpan FailAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a new node's view must stop growing before it may elect a table host, so nodes
    /// started together learn of each other first (a ring of 5 converges in about 4 rounds).</summary>
    public TimeSpan Settle { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Timeout of one gossip or table call to another node.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long two clusters must have seen each other before the higher-ranked host decides which
    /// yields: a change of host within one cluster shows two live hosts for a round or two, and its nodes
    /// move to the new one by themselves within that.</summary>
    public TimeSpan MergeAfter { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a silent node with a lower <c>NODE_ID</c> still keeps a node in no cluster from founding
    /// one: the lowest founds, and a starved machine can make a live node miss <see cref="FailAfter"/>.</summary>
    public TimeSpan FoundAfterSilence { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a node that restarted its silo to join another cluster waits to hear from that
    /// cluster's nodes before it gives up on it and finds a cluster as it would at start.</summary>
    public TimeSpan RejoinTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a node of a yielding cluster waits for its cluster-mates to stop taking writes before
    /// it hands its entries over anyway (a mate it cannot hear from may be cut off).</summary>
    public TimeSpan YieldCoordination { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an unreachable node stays in the gossiped view before it is forgotten.</summary>
    public TimeSpan ForgetAfter { get; set; } = TimeSpan.FromMinutes(10);
}
