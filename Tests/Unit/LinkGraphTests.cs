using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Unit;

public sealed class LinkGraphTests
{
    public static TheoryData<string, int> EveryShapeAndSize()
    {
        var data = new TheoryData<string, int>();
        foreach (var shape in LinkGraph.Shapes)
        {
            for (int n = 2; n <= 20; n++)
            {
                data.Add(shape, n);
            }
        }

        return data;
    }

    [Fact]
    public void Ring_LinksEachNodeToTheNext_AndStartsNodeZeroFirst()
    {
        var ring = LinkGraph.Ring(5);

        Assert.Equal("0→1 1→2 2→3 3→4 4→0", LinkGraph.Describe(ring.Links));
        Assert.Equal([0, 1, 2, 3, 4], ring.StartOrder);
    }

    [Fact]
    public void ReverseRing_HasTheRingsLinks_AndStartsTheLastNodeFirst()
    {
        var reverse = LinkGraph.ReverseRing(4);

        Assert.Equal(LinkGraph.Ring(4).Links, reverse.Links);
        Assert.Equal([3, 2, 1, 0], reverse.StartOrder);
    }

    [Fact]
    public void Star_LinksEveryNodeToNodeZero_AndNodeZeroToNodeOne()
    {
        var star = LinkGraph.Star(5);

        Assert.Equal("0→1 1→0 2→0 3→0 4→0", LinkGraph.Describe(star.Links));
        Assert.Equal([0, 1, 2, 3, 4], star.StartOrder);
    }

    [Fact]
    public void Chain_LinksEachNodeToTheNext_AndLeavesOnlyTheLastUnlinked()
    {
        var chain = LinkGraph.Chain(5);

        Assert.Equal("0→1 1→2 2→3 3→4 4→-", LinkGraph.Describe(chain.Links));
        Assert.Equal([0, 1, 2, 3, 4], chain.StartOrder);
    }

    [Theory]
    [InlineData(3, "0→1 1→2 2→1")]
    [InlineData(5, "0→1 1→4 2→3 3→0 4→3")]
    public void Scattered_LinksEachNodeToThreeTimesItPlusOne_WhenThatConnectsTheNodes(int n, string links)
    {
        Assert.Equal(links, LinkGraph.Describe(LinkGraph.Scattered(n).Links));
    }

    [Theory]
    [InlineData(8, "0→1 1→4 2→1 3→2 4→5 5→0 6→3 7→6")]
    [InlineData(10, "0→1 1→4 2→1 3→0 4→3 5→4 6→9 7→2 8→5 9→8")]
    public void Scattered_RelinksTheLowestUnreachedNodeToTheOneBelow_WhenThreeTimesItPlusOneFallsApart(int n, string links)
    {
        var permutation = Enumerable.Range(0, n).Select(i => (int?)((3 * i + 1) % n)).ToList();
        Assert.Throws<ArgumentException>(() => new LinkGraph("3i+1", permutation, Enumerable.Range(0, n).ToList()));

        Assert.Equal(links, LinkGraph.Describe(LinkGraph.Scattered(n).Links));
    }

    [Theory]
    [MemberData(nameof(EveryShapeAndSize))]
    public void EveryShape_ConnectsEveryNode_LinksAllButTheChainsLast_AndStartsEachOnce_AtAnySizeFrom2To20(string shape, int n)
    {
        var graph = LinkGraph.Create(shape, n);

        Assert.Equal(n, graph.Count);
        Assert.Equal(Enumerable.Range(0, n), graph.StartOrder.Order());
        var unlinked = Enumerable.Range(0, n).Where(i => graph.Links[i] is null);
        Assert.Equal(shape == "chain" ? [n - 1] : [], unlinked);
    }

    [Fact]
    public void Constructor_RefusesLinks_ThatLeaveANodeUnreachable()
    {
        var error = Assert.Throws<ArgumentException>(() => new LinkGraph("two pairs", [1, 0, 3, 2], [0, 1, 2, 3]));

        Assert.Contains("[2, 3] cannot be reached", error.Message);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 1 })]
    [InlineData(new[] { 0, 1 })]
    [InlineData(new[] { 0, 1, 3 })]
    public void Constructor_RefusesAStartOrder_ThatIsNotEachNodeOnce(int[] order)
    {
        Assert.Throws<ArgumentException>(() => new LinkGraph("ring", [1, 2, 0], order));
    }

    [Fact]
    public void Constructor_RefusesALinkToItselfOrOutsideTheNodes()
    {
        Assert.Throws<ArgumentException>(() => new LinkGraph("self", [0, 0], [0, 1]));
        Assert.Throws<ArgumentException>(() => new LinkGraph("outside", [1, 2], [0, 1]));
    }
}
