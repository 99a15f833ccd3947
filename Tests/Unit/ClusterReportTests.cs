using OrleansCache.Client;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Tests.Unit;

public sealed class ClusterReportTests
{
    private static readonly ClusterMemberView Member = new("0", "127.0.0.10", "Active", new MemberEndpoints("127.0.0.10:11111", "127.0.0.10:30000", "http://127.0.0.10:8080"), 512, 512);

    [Fact]
    public void Write_ListsTheMembersAndNoWarning_WhenTheNodeSeesOneCluster()
    {
        var output = new StringWriter();

        ClusterReport.Write(output, new ClusterView("0", [Member]));

        Assert.Contains("127.0.0.10:30000", output.ToString());
        Assert.DoesNotContain("WARNING", output.ToString());
    }

    [Fact]
    public void Write_WarnsAndNamesEveryNodeOfTheOtherCluster_WhileTwoClustersSeeEachOther()
    {
        var output = new StringWriter();
        var split = new List<OutsideNode> { new("2", "127.0.0.12", "2", Leaving: true), new("3", "127.0.0.13", "2", Leaving: false) };

        ClusterReport.Write(output, new ClusterView("0", [Member], split));

        var lines = output.ToString().Split(Environment.NewLine);
        Assert.Contains(lines, line => line.StartsWith("WARNING: node 0 sees 2 live node(s) of another cluster", StringComparison.Ordinal));
        Assert.Contains("  node 2 at 127.0.0.12, in the cluster of table host 2, leaving it", lines);
        Assert.Contains("  node 3 at 127.0.0.13, in the cluster of table host 2", lines);
    }

    [Fact]
    public void WriteJson_KeepsStdoutOneJsonArray_AndWarnsOnStderr_WhileTwoClustersSeeEachOther()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var split = new List<OutsideNode> { new("2", "127.0.0.12", "2", Leaving: false) };

        ClusterReport.WriteJson(output, error, new ClusterView("0", [Member], split));

        Assert.Equal(
            """[{"id":"0","ip":"127.0.0.10","status":"Active","primaryBuckets":512,"replicaBuckets":512,"gateway":"127.0.0.10:30000"}]""" + Environment.NewLine,
            output.ToString());
        Assert.StartsWith("WARNING: node 0 sees 1 live node(s) of another cluster", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("  node 2 at 127.0.0.12, in the cluster of table host 2", error.ToString());
    }
}
