using Microsoft.Extensions.Time.Testing;
using OrleansCache.Silo.Membership;

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

        a.Merge([c1, c5], leader: null);
        b.Merge([c5, c1], leader: null);

        Assert.Equal(5, a.All().Single(n => n.NodeId == "c").Heartbeat);
        Assert.Equal(5, b.All().Single(n => n.NodeId == "c").Heartbeat);
    }

    [Fact]
    public void IsAlive_TurnsFalse_AfterSilenceLongerThanTheFailureTimeout()
    {
        var directory = Directory("a");
        directory.Merge([Node("b", heartbeat: 1)], leader: null);

        _time.Advance(FailAfter / 2);
        directory.Merge([Node("b", heartbeat: 1)], leader: null); // Old news does not count as hearing from it.
        Assert.True(directory.IsAlive("b"));

        _time.Advance(FailAfter / 2);
        Assert.False(directory.IsAlive("b"));

        directory.Merge([Node("b", heartbeat: 2)], leader: null);
        Assert.True(directory.IsAlive("b"));
    }

    [Fact]
    public void IsAlive_TurnsFalseAtOnce_WhenANodeSaysItIsLeaving()
    {
        var directory = Directory("a");
        directory.Merge([Node("b", heartbeat: 1)], leader: null);

        directory.Merge([Node("b", heartbeat: 2) with { Leaving = true }], leader: null);

        Assert.False(directory.IsAlive("b"));
        Assert.Equal(["a"], directory.Alive().Select(n => n.NodeId));
    }

    [Fact]
    public void MarkUnreachable_TakesANodeForDeadAtOnce_UntilItIsHeardFromAgain()
    {
        var directory = Directory("a");
        directory.Merge([Node("b", heartbeat: 1)], leader: null);

        directory.MarkUnreachable(directory.NodeAt("127.0.0.2")!);
        Assert.False(directory.IsAlive("b"));

        directory.Merge([Node("b", heartbeat: 2)], leader: null);
        Assert.True(directory.IsAlive("b"));
    }

    [Fact]
    public void Merge_TakesARestartedNode_WhoseHeartbeatStartsOver()
    {
        var directory = Directory("a");
        directory.Merge([Node("b", heartbeat: 500, incarnation: 1)], leader: null);

        directory.Merge([Node("b", heartbeat: 0, incarnation: 2)], leader: null);

        Assert.Equal(2, directory.All().Single(n => n.NodeId == "b").Incarnation);
    }

    [Fact]
    public void Conflict_NamesTheNodeId_WhenALiveIdShowsUpAtAnotherAddress()
    {
        var directory = Directory("a");
        directory.Merge([Node("b", heartbeat: 1)], leader: null);
        var impostor = Node("b", heartbeat: 1, incarnation: 9) with { Ip = "127.0.0.99" };

        Assert.Contains("NODE_ID 'b'", directory.Conflict(impostor));
        directory.Merge([impostor], leader: null);
        Assert.Equal("127.0.0.2", directory.AddressOf("b"));

        _time.Advance(FailAfter);
        Assert.Null(directory.Conflict(impostor)); // A dead node's id may move to a new address.
    }

    [Fact]
    public void Merge_KeepsTheWinningLeaderClaim_HigherTermFirstThenLowerId()
    {
        var directory = Directory("a");

        directory.Merge([], new LeaderClaim(1, "c"));
        directory.Merge([], new LeaderClaim(1, "b"));
        Assert.Equal(new LeaderClaim(1, "b"), directory.Leader);

        directory.Merge([], new LeaderClaim(2, "z"));
        directory.Merge([], new LeaderClaim(1, "a"));
        Assert.Equal(new LeaderClaim(2, "z"), directory.Leader);
    }

    private NodeDirectory Directory(string id) => new(Node(id, heartbeat: 0), FailAfter, _time);

    private static NodeHeartbeat Node(string id, long heartbeat, long incarnation = 1) =>
        new(id, id switch { "a" => "127.0.0.1", "b" => "127.0.0.2", _ => "127.0.0.3" }, incarnation, heartbeat);
}
