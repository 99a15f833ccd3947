using OrleansCache.Grains.Routing;

namespace OrleansCache.Tests.Unit;

public sealed class BucketMapTests
{
    private const int Buckets = 1024;

    public static TheoryData<int, string> NodeCounts
    {
        get
        {
            var data = new TheoryData<int, string>();
            foreach (var naming in new[] { "{0}", "node-{0}" })
            {
                for (int n = 3; n <= 10; n++)
                {
                    data.Add(n, naming);
                }
            }

            return data;
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 2)]
    [InlineData(7, 3)]
    public void Count_EqualsTheBucketsWhoseCopyOfThatRankIsOnTheNode_ForEveryNodeAndRank(int n, int replicationFactor)
    {
        var nodes = Names(n, "node-{0}");
        var map = BucketMap.Build(nodes, Buckets, replicationFactor);

        foreach (var node in nodes)
        {
            for (int rank = 0; rank < map.Copies + 1; rank++)
            {
                int walked = Enumerable.Range(0, Buckets).Count(bucket => map.GetNode(bucket, rank) == node);
                Assert.Equal(walked, map.Count(node, rank));
            }
        }

        Assert.Equal(0, map.Count("not-a-node", 0));
    }

    [Theory]
    [MemberData(nameof(NodeCounts))]
    public void Build_SpreadsPrimariesAndReplicasWithinTwentyPercentOfTheMean_ForThreeToTenNodes(int n, string naming)
    {
        var nodes = Names(n, naming);
        var map = BucketMap.Build(nodes, Buckets, replicationFactor: 2);
        double mean = Buckets / (double)n;

        foreach (var node in nodes)
        {
            for (int rank = 0; rank < 2; rank++)
            {
                int count = map.Count(node, rank);
                Assert.InRange(count, mean * 0.8, mean * 1.2);
            }
        }
    }

    [Theory]
    [MemberData(nameof(NodeCounts))]
    public void Build_MovesAboutOneInNPlusOnePrimaries_WhenANodeJoins(int n, string naming)
    {
        var before = BucketMap.Build(Names(n, naming), Buckets, replicationFactor: 2);
        var after = BucketMap.Build(Names(n + 1, naming), Buckets, replicationFactor: 2);

        int moved = 0;
        for (int bucket = 0; bucket < Buckets; bucket++)
        {
            moved += before.GetNode(bucket, 0) == after.GetNode(bucket, 0) ? 0 : 1;
        }

        // The ideal is exactly the new node's share; bounded loads add a little on top.
        double ideal = Buckets / (double)(n + 1);
        Assert.InRange(moved, ideal * 0.8, ideal * 1.3);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(10)]
    public void Build_NamesASuccessorOtherThanThePrimary_WheneverThereAreTwoOrMoreNodes(int n)
    {
        var map = BucketMap.Build(Names(n), Buckets, replicationFactor: 3);

        for (int bucket = 0; bucket < Buckets; bucket++)
        {
            var copies = Enumerable.Range(0, map.Copies).Select(rank => map.GetNode(bucket, rank)).ToList();
            Assert.Equal(copies.Count, copies.Distinct().Count());
            Assert.NotNull(map.GetNode(bucket, 1));
        }
    }

    [Fact]
    public void Build_GivesTheSameMap_WhateverTheOrderNodesAreListedIn()
    {
        var names = Names(6);
        var forward = BucketMap.Build(names, Buckets, 2);
        var backward = BucketMap.Build(names.AsEnumerable().Reverse(), Buckets, 2);

        for (int bucket = 0; bucket < Buckets; bucket++)
        {
            Assert.Equal(forward.GetNode(bucket, 0), backward.GetNode(bucket, 0));
            Assert.Equal(forward.GetNode(bucket, 1), backward.GetNode(bucket, 1));
        }
    }

    [Fact]
    public void Build_HasNoReplica_WhenThereIsOneNodeOrReplicationFactorOne()
    {
        var single = BucketMap.Build(["only"], Buckets, replicationFactor: 2);
        var unreplicated = BucketMap.Build(Names(3), Buckets, replicationFactor: 1);

        Assert.Equal(1, single.Copies);
        Assert.Equal("only", single.GetNode(7, 0));
        Assert.Null(single.GetNode(7, 1));
        Assert.Equal(1, unreplicated.Copies);
        Assert.Null(unreplicated.GetNode(7, 1));
    }

    [Fact]
    public void Build_HasNoCopies_WhenThereAreNoNodes()
    {
        var map = BucketMap.Build([], Buckets, replicationFactor: 2);

        Assert.Equal(0, map.Copies);
        Assert.Null(map.GetNode(0, 0));
    }

    private static string[] Names(int n, string naming = "{0}") =>
        Enumerable.Range(0, n).Select(i => string.Format(naming, i)).ToArray();
}
