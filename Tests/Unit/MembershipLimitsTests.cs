using OrleansCache.Membership;

namespace OrleansCache.Tests.Unit;

public sealed class MembershipLimitsTests
{
    private static readonly LeaderClaim Claim = new(3, "0", 638_000_000_000_000_000, "0");

    [Fact]
    public void Digest_IsWithinBounds_WhenItDescribesARealCluster()
    {
        Assert.Null(MembershipLimits.Check(Digest(Node("1", "127.0.0.11") with { Following = Claim }, Node("0", "127.0.0.10"), Node("2", "::1"))));
    }

    [Fact]
    public void Digest_IsRefused_WhenAClaimHasATermNoHostCouldFollow()
    {
        var greedy = Claim with { Term = long.MaxValue };

        Assert.Contains("term", MembershipLimits.Check(Digest(Node("1", "127.0.0.11") with { Following = greedy })));
        Assert.Contains("term", MembershipLimits.Check(Digest(Node("1", "127.0.0.11"), Node("0", "127.0.0.10") with { YieldingTo = greedy })));
        Assert.Contains("term", MembershipLimits.Check(Digest(Node("1", "127.0.0.11") with { Verdicts = [new MergeVerdict(Claim, greedy)] })));
        Assert.Contains("term", MembershipLimits.Check(new TableRequest(TableOperation.ReadAll, null, null, null, null, default) { Claim = Claim with { Term = -1 } }));
    }

    [Fact]
    public void Digest_IsRefused_WhenAnAddressIsNotAnIp()
    {
        Assert.Contains("not an IP address", MembershipLimits.Check(Digest(Node("1", "attacker.example:80/x?"))));
        Assert.Contains("not an IP address", MembershipLimits.Check(Digest(Node("1", "127.0.0.11"), Node("0", "10.0.0.1/evil"))));
    }

    [Fact]
    public void Digest_IsRefused_WhenItListsMoreNodesThanAllowed_OrANodeIdTooLong()
    {
        var many = Enumerable.Range(0, MembershipLimits.MaxMembers + 1).Select(i => Node($"n{i}", "127.0.0.20")).ToArray();

        Assert.Contains("lists", MembershipLimits.Check(Digest(Node("1", "127.0.0.11"), many)));
        Assert.Contains("node id", MembershipLimits.Check(Digest(Node(new string('x', MembershipLimits.MaxNodeIdLength + 1), "127.0.0.11"))));
    }

    [Fact]
    public void TableRequest_IsRefused_WhenItsOperationIsUnknown()
    {
        Assert.Contains("unknown", MembershipLimits.Check(new TableRequest((TableOperation)99, null, null, null, null, default)));
    }

    private static NodeHeartbeat Node(string id, string ip) => new(id, ip, 1, 1);

    private static GossipDigest Digest(NodeHeartbeat from, params NodeHeartbeat[] members) => new("cluster", 1024, from, members, 1);
}
