using System.Text;
using System.Text.Json;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// The published console client against a published node, both as separate processes, checked by what
/// a user at a shell sees: stdout, stderr and the exit code.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ClientTests(ClientNodeFixture fixture) : IClassFixture<ClientNodeFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private NodeProcess Node => fixture.Node;

    [Theory]
    [InlineData("client:plain", "hello")]
    [InlineData("client:a/b/../c", "slashes/in the key")]
    [InlineData("client: key with spaces ", "  a value with spaces  ")]
    [InlineData("client:ключ/東京 ✓", "значение ✓ 😀")]
    public async Task SetThenGet_RoundTripsTheValue_WhenKeyHasSlashesSpacesOrNonAscii(string key, string value)
    {
        var set = await RunAsync("set", key, value, "--node", Node.Ip);
        var get = await RunAsync("get", key, "--node", Node.Ip);

        AssertDone(set, "OK");
        AssertDone(get, value);
    }

    [Fact]
    public async Task Get_PrintsNilAndExitsZero_WhenKeyIsMissing()
    {
        var get = await RunAsync("get", "client:never-set", "--node", Node.Ip);

        AssertDone(get, "(nil)");
    }

    [Fact]
    public async Task Del_PrintsDeletedThenNotFound_WhenKeyExisted()
    {
        AssertDone(await RunAsync("set", "client:to-delete", "v", "--node", Node.Ip), "OK");

        var first = await RunAsync("del", "client:to-delete", "--node", Node.Ip);
        var second = await RunAsync("del", "client:to-delete", "--node", Node.Ip);
        var get = await RunAsync("get", "client:to-delete", "--node", Node.Ip);

        AssertDone(first, "deleted");
        AssertDone(second, "not found");
        AssertDone(get, "(nil)");
    }

    [Fact]
    public async Task Dump_ListsTheKeyAndValueSortedByKey_WhenTheNodeHoldsThem()
    {
        AssertDone(await RunAsync("set", "client:dump/b", "second", "--node", Node.Ip), "OK");
        AssertDone(await RunAsync("set", "client:dump/a", "first value", "--node", Node.Ip), "OK");

        var dump = await RunAsync("dump", Node.NodeId, "--node", Node.Ip);

        Assert.True(dump.ExitCode == 0, dump.ToString());
        Assert.Contains("client:dump/a\tfirst value", dump.OutputLines);
        Assert.Contains("client:dump/b\tsecond", dump.OutputLines);
        var keys = dump.OutputLines.Select(line => line.Split('\t')[0]).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
    }

    [Fact]
    public async Task Dump_ExitsOneWithOneLine_WhenNoNodeHasThatId()
    {
        var dump = await RunAsync("dump", "no-such-node", "--node", Node.Ip);

        Assert.True(dump.ExitCode == 1, dump.ToString());
        Assert.Empty(dump.Output);
        Assert.Contains("no-such-node", Assert.Single(dump.ErrorLines));
    }

    [Fact]
    public async Task Cluster_ListsTheNodeActiveWithEveryBucket_WhenOneNodeRuns()
    {
        // The ip:port form of --node, on the default gateway port.
        var cluster = await RunAsync("cluster", "--node", $"{Node.Ip}:30000");

        Assert.True(cluster.ExitCode == 0, cluster.ToString());
        Assert.Equal(["ID", "IP", "STATUS", "PRIMARY", "REPLICA", "GATEWAY"], Columns(cluster.OutputLines[0]));
        var row = Assert.Single(cluster.OutputLines.Skip(1));
        Assert.Equal([Node.NodeId, Node.Ip, "Active", "1024", "0", $"{Node.Ip}:30000"], Columns(row));
    }

    [Fact]
    public async Task Stats_PrintsTheNodeAndTheTotals_CountingWhatWasWrittenAndRead()
    {
        AssertDone(await RunAsync("set", "stats:a", "1", "--node", Node.Ip), "OK");
        AssertDone(await RunAsync("get", "stats:a", "--node", Node.Ip), "1");
        AssertDone(await RunAsync("get", "stats:missing", "--node", Node.Ip), "(nil)");

        var stats = await RunAsync("stats", "--node", Node.Ip);

        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.Equal(["NODE", "KEYS", "REPLICA_KEYS", "BYTES", "MAX_BYTES", "POLICY", "HITS", "MISSES", "EVICTIONS", "EXPIRATIONS"], Columns(stats.OutputLines[0]));
        var node = Columns(stats.OutputLines[1]);
        var all = Columns(stats.OutputLines[2]);
        Assert.Equal(Node.NodeId, node[0]);
        Assert.Equal("lru", node[5]);
        Assert.True(long.Parse(node[1]) >= 1 && long.Parse(node[6]) >= 1 && long.Parse(node[7]) >= 1, stats.Output);
        Assert.Equal(["ALL", node[1], "-", node[3], "-", "-", node[6], node[7], node[8], node[9]], all);
    }

    [Fact]
    public async Task Demo_PrintsThePrimaryNodeOfEveryKeyAndReadsItBack_WhenOneNodeRuns()
    {
        var demo = await RunAsync("demo", "--node", Node.Ip);

        Assert.True(demo.ExitCode == 0, demo.ToString());
        Assert.Equal(["KEY", "BUCKET", "PRIMARY", "REPLICAS", "READ", "BACK"], Columns(demo.OutputLines[0]));
        for (int i = 1; i <= 8; i++)
        {
            var row = Columns(Assert.Single(demo.OutputLines, line => line.StartsWith($"demo:{i} ", StringComparison.Ordinal)));
            Assert.InRange(int.Parse(row[1]), 0, 1023);
            Assert.Equal(Node.NodeId, row[2]);
            Assert.Equal("-", row[3]); // One node: no replica.
            Assert.Equal(["value", $"{i}"], row[4..]);
        }

        Assert.Equal("8 keys written and read back.", demo.OutputLines[^1]);
        AssertDone(await RunAsync("get", "demo:3", "--node", Node.Ip), "value 3");

        // stderr is a pipe here: progress comes as whole lines, never rewritten with a carriage return.
        Assert.DoesNotContain('\r', demo.Error);
        Assert.Equal("demo: 8 of 8 keys written, located and read back", demo.ErrorLines[^1]);
    }

    [Fact]
    public async Task Set_IsReadOverHttp_WhenWrittenByTheClient()
    {
        const string key = "client:http/shared ✓";
        AssertDone(await RunAsync("set", key, "seen by both ✓", "--node", Node.Ip), "OK");

        using var response = await Node.Http.GetAsync($"/get/{Uri.EscapeDataString(key)}").WaitAsync(Timeout);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Timeout));

        Assert.True(response.IsSuccessStatusCode, response.ToString());
        Assert.Equal("seen by both ✓", body.RootElement.GetProperty("value").GetString());
    }

    [Fact]
    public async Task Get_PrintsTheJsonText_WhenAJsonValueWasSetOverHttp()
    {
        using var content = new StringContent("""{"key":"client:json","value":{"a":[1,2],"b":"x"}}""", Encoding.UTF8);
        using var response = await Node.Http.PostAsync("/set", content).WaitAsync(Timeout);
        Assert.True(response.IsSuccessStatusCode, response.ToString());

        var get = await RunAsync("get", "client:json", "--node", Node.Ip);

        AssertDone(get, """{"a":[1,2],"b":"x"}""");
    }

    [Fact]
    public async Task Json_PrintsOneJsonObjectPerCommand_ForSetGetAndDel()
    {
        const string key = "client:json/ключ \"quoted\" ✓";
        string node = Node.Ip;

        var set = await RunAsync("set", key, "значение ✓", "--json", "--node", node);
        var get = await RunAsync("--json", "get", key, "--node", node);
        var deleted = await RunAsync("del", key, "--node", node, "--json");
        var notFound = await RunAsync("--node", node, "--json", "del", "--", key);
        var miss = await RunAsync("get", "--json", key, "--node", node);

        AssertJson(set, """{"key":"client:json/ключ \"quoted\" ✓","ok":true}""");
        AssertJson(get, """{"key":"client:json/ключ \"quoted\" ✓","value":"значение ✓"}""");
        AssertJson(deleted, """{"key":"client:json/ключ \"quoted\" ✓","deleted":true}""");
        AssertJson(notFound, """{"key":"client:json/ключ \"quoted\" ✓","deleted":false}""");
        AssertJson(miss, """{"key":"client:json/ключ \"quoted\" ✓","value":null}""");
    }

    [Fact]
    public async Task Json_GivesAValueStoredAsJsonAsThatJson_AsGetOverHttpDoes()
    {
        using var content = new StringContent("""{"key":"client:json/object","value":{"a":[1,2],"b":"x"}}""", Encoding.UTF8);
        using var response = await Node.Http.PostAsync("/set", content).WaitAsync(Timeout);
        Assert.True(response.IsSuccessStatusCode, response.ToString());
        AssertDone(await RunAsync("set", "client:json/text", """{"a":1}""", "--node", Node.Ip), "OK");

        var json = await RunAsync("get", "client:json/object", "--json", "--node", Node.Ip);
        var text = await RunAsync("get", "client:json/text", "--json", "--node", Node.Ip);

        AssertJson(json, """{"key":"client:json/object","value":{"a":[1,2],"b":"x"}}""");
        AssertJson(text, """{"key":"client:json/text","value":"{\"a\":1}"}""");
    }

    [Fact]
    public async Task Json_ListsTheMembersWithTheTablesColumns_ForCluster()
    {
        var cluster = await RunAsync("cluster", "--json", "--node", Node.Ip);

        AssertJson(
            cluster,
            $$"""[{"id":"{{Node.NodeId}}","ip":"{{Node.Ip}}","status":"Active","primaryBuckets":1024,"replicaBuckets":0,"gateway":"{{Node.Ip}}:30000"}]""");
    }

    [Fact]
    public async Task Json_PrintsEveryEntrySortedByKey_ForDump()
    {
        AssertDone(await RunAsync("set", "client:json-dump/b", "2", "--node", Node.Ip), "OK");
        AssertDone(await RunAsync("set", "client:json-dump/a", "1", "--node", Node.Ip), "OK");

        var dump = await RunAsync("dump", Node.NodeId, "--json", "--node", Node.Ip);

        Assert.True(dump.ExitCode == 0 && dump.Error.Length == 0, dump.ToString());
        using var document = JsonDocument.Parse(Assert.Single(dump.OutputLines));
        var keys = document.RootElement.EnumerateObject().Select(entry => entry.Name).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
        Assert.Equal("1", document.RootElement.GetProperty("client:json-dump/a").GetString());
        Assert.Equal("2", document.RootElement.GetProperty("client:json-dump/b").GetString());
    }

    [Fact]
    public async Task Json_PrintsTheNodeAndClusterNumbers_ForStats()
    {
        AssertDone(await RunAsync("get", "client:json-stats/missing", "--node", Node.Ip), "(nil)");

        var stats = await RunAsync("stats", "--json", "--node", Node.Ip);

        Assert.True(stats.ExitCode == 0 && stats.Error.Length == 0, stats.ToString());
        using var document = JsonDocument.Parse(Assert.Single(stats.OutputLines));
        var node = Assert.Single(document.RootElement.GetProperty("nodes").EnumerateArray());
        var cluster = document.RootElement.GetProperty("cluster");
        Assert.Equal(Node.NodeId, node.GetProperty("nodeId").GetString());
        Assert.Equal("lru", node.GetProperty("evictionPolicy").GetString());
        Assert.Equal(1, cluster.GetProperty("nodes").GetInt32());
        Assert.True(cluster.GetProperty("misses").GetInt64() >= 1, stats.Output);
        foreach (var name in new[] { "keys", "bytes", "hits", "misses", "evictions", "expirations" })
        {
            Assert.Equal(node.GetProperty(name).GetInt64(), cluster.GetProperty(name).GetInt64());
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public async Task Get_ExitsTwoWithOneLine_WhenTheKeyIsInvalid(string? key)
    {
        key ??= new string('k', 1025);

        var get = await RunAsync("get", key, "--node", Node.Ip);

        Assert.True(get.ExitCode == 2, get.ToString());
        Assert.Empty(get.Output);
        Assert.Contains("1024", Assert.Single(get.ErrorLines));
    }

    [Fact]
    public async Task AnyCommand_ExitsNonZeroWithOneLineWithin30Seconds_WhenNoNodeAnswers()
    {
        string nobody = LoopbackAddresses.Next();

        var get = await RunAsync("get", "client:anything", "--node", nobody);

        Assert.True(get.ExitCode != 0, get.ToString());
        Assert.True(get.Elapsed < TimeSpan.FromSeconds(30), get.ToString());
        Assert.Empty(get.Output);
        Assert.StartsWith($"Orleans.Cache: no node answered at {nobody}:30000", Assert.Single(get.ErrorLines));
    }

    [Fact]
    public async Task Help_PrintsUsageAndExitsZero_WhenAsked()
    {
        var help = await RunAsync("help");

        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("Usage:\n  Client [command] [options]\n", help.Output);
        foreach (var command in new[] { "get <key>", "set <key> <value>", "del <key>", "dump <nodeId>", "cluster", "stats", "demo", "bench" })
        {
            Assert.Contains($"\n  {command} ", help.Output);
        }
    }

    [Fact]
    public async Task CommandHelp_PrintsThatCommandsUsageAndExitsZero_WithoutANode()
    {
        var help = await RunAsync("get", "--help");

        Assert.True(help.ExitCode == 0 && help.Error.Length == 0, help.ToString());
        Assert.Contains("Usage:\n  Client get <key> [options]\n", help.Output);
        Assert.Contains("Exit codes:", help.Output);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("set", "only-a-key")]
    [InlineData("get", "k", "--nodes", "127.0.0.1")]
    [InlineData("get", "k", "--node", "not-an-address")]
    [InlineData("get")]
    [InlineData("get", "--key")]
    [InlineData("bench", "--concurrency", "0")]
    [InlineData("del", "k", "--redis", "127.0.0.1")]
    public async Task BadUsage_ExitsTwoWithOneLine_WhenTheCommandLineIsWrong(params string[] arguments)
    {
        var run = await RunAsync(arguments);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Empty(run.Output);
        Assert.StartsWith("Orleans.Cache: ", Assert.Single(run.ErrorLines));
    }

    private static Task<ClientProcess> RunAsync(params string[] arguments) => ClientProcess.RunAsync(arguments);

    private static void AssertDone(ClientProcess run, string expectedOutput)
    {
        Assert.True(run.ExitCode == 0 && run.Error.Length == 0, run.ToString());
        Assert.Equal(expectedOutput + "\n", run.Output);
    }

    // One line of JSON on stdout, nothing on stderr, exit code 0; compared as text, so the order of the
    // properties and the characters left unescaped are part of what is checked.
    private static void AssertJson(ClientProcess run, string expectedJson)
    {
        Assert.True(run.ExitCode == 0 && run.Error.Length == 0, run.ToString());
        Assert.Equal(expectedJson, Assert.Single(run.OutputLines));
        using var _ = JsonDocument.Parse(run.Output);
    }

    private static string[] Columns(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
