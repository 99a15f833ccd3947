using OrleansCache.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// Cluster formation the ways users start nodes: linked in a ring, a reversed ring, a star, a chain or
/// scattered, started all at once or some seconds apart, on an idle or a busy machine. Whatever the
/// order and timing, the nodes must form one cluster that every node agrees on and that serves a key
/// from every node.
/// </summary>
/// <remarks>
/// The first theory is the CI slice and runs on every <c>dotnet test</c>; the second is the full matrix,
/// run with <c>ORLEANS_CACHE_FORMATION_MATRIX=1</c>. Each case prints how long formation took.
/// </remarks>
[Collection(ProcessCollection.Name)]
public sealed class FormationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Serve = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("ring", 5, 2, false)]
    [InlineData("ring", 10, 1, false)]
    [InlineData("reverse-ring", 4, 1, false)]
    [InlineData("star", 5, 0, false)]
    [InlineData("chain", 5, 3, false)]
    [InlineData("scattered", 8, 1, false)]
    [InlineData("ring", 5, 1, true)]
    public Task LinkedNodes_FormOneCluster_WhenStartedTheWaysUsersStartThem(string shape, int nodes, int intervalSeconds, bool busyCores) =>
        FormAsync(shape, nodes, intervalSeconds, busyCores);

    [Theory]
    [FormationMatrix]
    public Task LinkedNodes_FormOneCluster_InEveryShapeSizeAndIntervalOfTheMatrix(string shape, int nodes, int intervalSeconds, bool busyCores) =>
        FormAsync(shape, nodes, intervalSeconds, busyCores);

    private async Task FormAsync(string shape, int nodes, int intervalSeconds, bool busyCores)
    {
        var graph = LinkGraph.Create(shape, nodes);
        var interval = TimeSpan.FromSeconds(intervalSeconds);
        var lastStart = interval * (nodes - 1);

        await using var busy = busyCores ? BusyCores.Start() : null;
        await using var run = await FormationRun.StartAsync(graph, interval);
        var formed = await run.WaitForOneClusterAsync(FormationLimit(nodes, lastStart, busyCores));
        output.WriteLine(
            $"{run}{(busy is null ? "" : $", {busy.Count} cores busy")}: one cluster {formed.TotalSeconds:F1} s after the first start, "
            + $"{(formed - lastStart).TotalSeconds:F1} s after the last");

        await run.AssertOneMembershipAsync();
        await run.AssertEveryNodeServesAsync(run.Nodes[graph.StartOrder[^1]], Serve);
    }

    // From the last start: a minute, plus 2 s a node for the processes to start on two cores, plus half a
    // minute more when those cores are busy.
    private static TimeSpan FormationLimit(int nodes, TimeSpan lastStart, bool busyCores) =>
        lastStart + TimeSpan.FromSeconds(60 + 2 * nodes + (busyCores ? 30 : 0));
}
