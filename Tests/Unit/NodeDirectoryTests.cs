using Microsoft.Extensions.Time.Testing;
using OrleansCache.Membership;

namespace OrleansCache.Tests.Unit;

public sealed class NodeDirectoryTests
{
    private static readonly TimeSpan FailAfter = TimeSpan.FromSeconds(2);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Merge_LearnsNodesAndKeepsTheNewestHeartbeat_InAnyOrder()
    {
        var a = Directory("a");
        var b = Directory("b");
        var c1 = Node("c", heartbeat: 1);
        var c5 = Node("c", heartbeat: 5);

        a.Merge([c1, c5]);
        b.Merge([c5, c1]);

        Assert.Equal(5, a.All().Single(n => n.NodeId == "c").Heartbeat);
        Assert.Equal(5, b.All().Single(n => n.NodeId == "c").Heartbeat);
    }

    [Fact]
    public void IsAlive_TurnsFalse_AfterSilenceLongerThanTheFailureTimeout()
    {
        var directory = Directory("a");
        directory.Merge([Node("b", heartbeat: 1)]);

        _time.Advance(FailAfter / 2);
        directory.Merge([Node("b", heartbeat: 1)]); // Old news does not count as hearing from it.
        Assert.True(directory.IsAlive("b"));

        _time.Advance(FailAfter / 2);
        Assert.False(directory.IsAlive("b"));

        directory.Merge([Node("b", heartbeat: 2)]);
        Assert.True(directory.IsAlive("b"));
    }

    [Fact]
    public void IsAlive_TurnsFalseAtOnce_WhenANodeSaysItIsLeaving()
    {
        var directory = Directory("a");
        directory.Merge([Node("b", heartbeat: 1)]);

        directory.Merge([Node("b", heartbeat: 2) with { Leaving = true }]);

        Assert.False(directory.IsAlive("b"));
        Assert.Equal(["a"], directory.Alive().Select(n => n.NodeId));
    }

    [Fact]
    public void MarkUnreachable_TakesANodeForDeadAtOnce_UntilItIsHeardFromAgain()
    {
        var directory = Directory("a");
        directory.Merge([Node("b", heartbeat: 1)]);

        directory.MarkUnreachable(directory.NodeAt("127.0.0.2")!);
        Assert.False(directory.IsAlive("b"));

        directory.Merge([Node("b", heartbeat: 2)]);
        Assert.True(directory.IsAlive("b"));
    }

    [Fact]
    public void Merge_TakesARestartedNode_WhoseHeartbeatStartsOver()
    {
        var directory = Directory("a");
        directory.Merge([Node("b", heartbeat: 500, incarnation: 1)]);

        directory.Merge([Node("b", heartbeat: 0, incarnation: 2)]);

        Assert.Equal(2, directory.All().Single(n => n.NodeId == "b").Incarnation);
    }

    [Fact]
    public void Conflict_NamesTheNodeId_WhenALiveIdShowsUpAtAnotherAddress()
    {
        var directory = Directory("a");
        directory.Merge([Node("b", heartbeat: 1)]);
        var impostor = Node("b", heartbeat: 1, incarnation: 9) with { Ip = "127.0.0.99" };

        Assert.Contains("NODE_ID 'b'", directory.Conflict(impostor));
        directory.Merge([impostor]);
        Assert.Equal("127.0.0.2", directory.AddressOf("b"));

        _time.Advance(FailAfter);
        Assert.Null(directory.Conflict(impostor)); // A dead node's id may move to a new address.
    }

    [Fact]
    public void Beats_RanksTheOlderClusterFirst_ThenTheHigherTermWithinOne_ThenTheLowerHostId()
    {
        var old = new LeaderClaim(1, "b", FoundedAt: 100, Founder: "b");
        var oldNextHost = old with { Term = 2, NodeId = "z" };
        var young = new LeaderClaim(7, "a", FoundedAt: 200, Founder: "a");

        Assert.True(old.Beats(young));
        Assert.False(young.Beats(old));
        Assert.True(oldNextHost.Beats(old));
        Assert.True(oldNextHost.Beats(young));
        Assert.True((old with { NodeId = "a" }).Beats(old)); // Two hosts of one term: the lower id.
        Assert.True(new LeaderClaim(1, "x", 100, "a").Beats(new LeaderClaim(1, "y", 100, "b"))); // Founded together.
        Assert.True(old.Beats(null));
    }

    [Fact]
    public void LiveClaims_AreThoseWhoseHostIsAliveAndStillHostsThem()
    {
        var directory = Directory("a");
        var claim = new LeaderClaim(1, "b", 100, "b");
        var stale = new LeaderClaim(1, "c", 50, "c");
        directory.Merge([Node("b", heartbeat: 1) with { Following = claim }, Node("c", heartbeat: 1) with { Following = claim }]);

        Assert.Equal([claim], directory.LiveClaims());

        // c follows b, so c's own old claim is not live even if someone still names it.
        directory.Merge([Node("c", heartbeat: 2) with { Following = stale with { NodeId = "b" } }]);
        Assert.Equal([claim], directory.LiveClaims());

        _time.Advance(FailAfter);
        Assert.Empty(directory.LiveClaims());
    }

    [Fact]
    public void Verdicts_CountOnlyThoseOfTheHostWhoseClaimRanksFirst_WhileTheWinnerIsLive()
    {
        var directory = Directory("a");
        var older = new LeaderClaim(1, "b", 100, "b");
        var younger = new LeaderClaim(1, "c", 200, "c");
        var byOlder = new MergeVerdict(younger, older);
        var byYounger = new MergeVerdict(older, younger);

        directory.Merge([
            Node("b", heartbeat: 1) with { Following = older, Verdicts = [byOlder] },
            Node("c", heartbeat: 1) with { Following = younger, Verdicts = [byYounger] }]);

        Assert.Equal([byOlder], directory.Verdicts()); // c may not decide for a pair where b's claim ranks first.

        // The older host decides that its own, smaller cluster yields: that counts too.
        directory.Merge([Node("b", heartbeat: 2) with { Following = older, Verdicts = [byYounger] }]);
        Assert.Equal([byYounger], directory.Verdicts());
    }

    private NodeDirectory Directory(string id) => new(Node(id, heartbeat: 0), FailAfter, _time);

    private static NodeHeartbeat Node(string id, long heartbeat, long incarnation = 1) =>
        new(id, id switch { "a" => "127.0.0.1", "b" => "127.0.0.2", _ => "127.0.0.3" }, incarnation, heartbeat);
}
