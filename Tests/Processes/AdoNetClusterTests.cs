using System.Text.Json;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// Published nodes started with <c>CLUSTERING=adonet</c>: membership through PostgreSQL, no linked nodes.
/// </summary>
[Needs(Prerequisite.Postgres)]
public sealed class AdoNetClusterTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly TimeSpan FormationTimeout = TimeSpan.FromSeconds(90);

    // Failure detection is still at Orleans' defaults, under which a killed silo is declared dead after
    // roughly 30 to 60 s on this machine.
    private static readonly TimeSpan DeathTimeout = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan ServeTimeout = TimeSpan.FromSeconds(30);

    [CheckedFact]
    public async Task Nodes_FormAClusterThroughPostgres_OutliveAKilledNode_AndTakeInANewOne()
    {
        string clusterId = PostgresDatabase.NewClusterId("adonet-nodes");
        var environment = new Dictionary<string, string>
        {
            ["CLUSTERING"] = "adonet",
            ["ADONET_CONNECTION_STRING"] = database.ConnectionString,
            ["CLUSTER_ID"] = clusterId,
        };
        var nodes = new List<NodeProcess>();
        try
        {
            foreach (string id in new[] { "pg1", "pg2", "pg3" })
            {
                nodes.Add(await NodeProcess.StartAsync(id, LoopbackAddresses.Next(), environment));
            }

            await Task.WhenAll(nodes.Select(node => node.WaitUntilReadyAsync(FormationTimeout)));
            await WaitForActiveAsync(nodes, ["pg1", "pg2", "pg3"], FormationTimeout);

            await nodes[0].SetAsync("adonet-before", "written before the kill");
            Assert.Equal("written before the kill", await nodes[1].GetAsync("adonet-before"));

            var killed = nodes[2];
            killed.Kill();
            var survivors = nodes.Take(2).ToList();
            await Poll.UntilAsync(
                async () => (await Task.WhenAll(survivors.Select(MembersAsync))).All(members => members.Contains(("pg3", "Dead"))),
                DeathTimeout,
                "pg1 and pg2 see the killed pg3 as Dead");

            // The survivors keep serving: a write after the death reaches every one of them, and the value
            // written before it survives (its bucket fails over to a replica if pg3 held the primary).
            await Poll.UntilAsync(
                async () =>
                {
                    await nodes[1].SetAsync("adonet-after", "written after the kill");
                    return await nodes[0].GetAsync("adonet-after") == "written after the kill"
                        && await nodes[1].GetAsync("adonet-after") == "written after the kill";
                },
                ServeTimeout,
                "a write after the kill, read back from both survivors");
            Assert.Equal("written before the kill", await nodes[0].GetAsync("adonet-before"));

            var joiner = await NodeProcess.StartAsync("pg4", LoopbackAddresses.Next(), environment);
            nodes.Add(joiner);
            await joiner.WaitUntilReadyAsync(FormationTimeout);
            await WaitForActiveAsync([nodes[0], nodes[1], joiner], ["pg1", "pg2", "pg4"], FormationTimeout);
            Assert.Equal("written after the kill", await joiner.GetAsync("adonet-after"));
            await joiner.SetAsync("adonet-joined", "written on the new node");
            Assert.Equal("written on the new node", await nodes[0].GetAsync("adonet-joined"));
        }
        catch (Exception e) when (e is not InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"{e.Message}\n{string.Join("\n", nodes.Select(n => $"--- {n.NodeId} at {n.Ip}, {(n.HasExited ? $"exited {n.ExitCode}" : "running")}:\n{n.Output}"))}", e);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            await database.DeleteClusterAsync(clusterId);
        }
    }

    [CheckedTheory]
    [InlineData("Host=127.0.0.1;Port=1;Username=orleans;Password=secret-pw;Database=nowhere", "127.0.0.1:1")]
    [InlineData("Host=127.0.0.1;Password=secret-pw;Colour=blue", "not a valid Npgsql connection string")]
    public async Task Node_StopsAtStart_WithOneLineAboutTheDatabase_WhenItCannotUseIt(string connectionString, string expected)
    {
        await using var node = await NodeProcess.StartAsync("pg-bad", LoopbackAddresses.Next(), new Dictionary<string, string>
        {
            ["CLUSTERING"] = "adonet",
            ["ADONET_CONNECTION_STRING"] = connectionString,
        });

        int exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        await Poll.UntilAsync(
            () => Task.FromResult(node.Output.Split('\n').Any(line =>
                line.StartsWith("Orleans.Cache node", StringComparison.Ordinal) && line.Contains("ADONET_CONNECTION_STRING") && line.Contains(expected))),
            TimeSpan.FromSeconds(5),
            $"a line naming ADONET_CONNECTION_STRING and '{expected}'; the output:\n{node.Output}");
        Assert.DoesNotContain("secret-pw", node.Output);
    }

    private static async Task WaitForActiveAsync(IReadOnlyList<NodeProcess> nodes, string[] ids, TimeSpan timeout)
    {
        var expected = ids.Order().ToArray();
        await Poll.UntilAsync(
            async () => (await Task.WhenAll(nodes.Select(MembersAsync))).All(members =>
                members.Where(m => m.Status == "Active").Select(m => m.Id).Order().SequenceEqual(expected)),
            timeout,
            $"{string.Join(", ", nodes.Select(n => n.NodeId))} each see exactly {string.Join(", ", ids)} as Active");
    }

    private static async Task<List<(string Id, string Status)>> MembersAsync(NodeProcess node)
    {
        using var cluster = JsonDocument.Parse(await node.Http.GetStringAsync("/cluster"));
        return cluster.RootElement.GetProperty("members").EnumerateArray()
            .Select(member => (member.GetProperty("id").GetString()!, member.GetProperty("status").GetString()!))
            .ToList();
    }


}
