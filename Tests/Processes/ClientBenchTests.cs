using System.Globalization;
using System.Text.Json;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// The published console client's <c>bench</c> command against published nodes, checked by what a user
/// at a shell sees: the table on stdout, progress on stderr and the exit code.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ClientBenchTests(ClientNodeFixture fixture) : IClassFixture<ClientNodeFixture>
{
    // Preloading and a few seconds of load, on a 2-core machine that may be busy with other runs.
    private static readonly TimeSpan BenchTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Formation = TimeSpan.FromSeconds(60);

    private static readonly string[] Header = ["OP", "COUNT", "OPS/S", "ERRORS", "P50", "P90", "P99", "P99.9", "MAX"];

    private NodeProcess Node => fixture.Node;

    [Fact]
    public async Task Bench_PrintsGetAndSetRowsWithCountsAndOrderedPercentiles_WhenRunAgainstOneNode()
    {
        var bench = await ClientProcess.RunAsync(["bench", "--duration", "2", "--keys", "200", "--node", Node.Ip], BenchTimeout);

        Assert.True(bench.ExitCode == 0, bench.ToString());
        Assert.Equal(Header, Columns(Assert.Single(bench.OutputLines, line => line.StartsWith("OP ", StringComparison.Ordinal))));
        foreach (var operation in new[] { "GET", "SET", "ALL" })
        {
            var row = Row(bench, operation);
            Assert.True(long.Parse(row[1], CultureInfo.InvariantCulture) > 0, bench.ToString());
            Assert.True(double.Parse(row[2], CultureInfo.InvariantCulture) > 0, bench.ToString());
            Assert.Equal("0", row[3]);
            var latencies = row[4..].Select(value => double.Parse(value, CultureInfo.InvariantCulture)).ToList();
            Assert.True(latencies.SequenceEqual(latencies.Order()), $"p50 <= p90 <= p99 <= p99.9 <= max: {string.Join(' ', row)}");
        }

        Assert.Equal(
            long.Parse(Row(bench, "GET")[1], CultureInfo.InvariantCulture) + long.Parse(Row(bench, "SET")[1], CultureInfo.InvariantCulture),
            long.Parse(Row(bench, "ALL")[1], CultureInfo.InvariantCulture));
        Assert.Contains("errors: 0", bench.OutputLines);

        // Every key was preloaded, so no GET of the timed run misses.
        Assert.Contains("GET misses: 0", bench.OutputLines);

        // stderr is a pipe here: progress comes as whole lines, never rewritten with a carriage return.
        Assert.DoesNotContain('\r', bench.Error);
        Assert.Contains(bench.ErrorLines, line => line.Contains("ops/s", StringComparison.Ordinal) && line.Contains("0 errors", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bench_WritesEveryKeyOfTheKeyspaceBeforeTheRun_WhenGetsOnly()
    {
        var bench = await ClientProcess.RunAsync(
            ["bench", "--duration", "1", "--keys", "50", "--get-ratio", "1", "--value-size", "7", "--concurrency", "4", "--node", Node.Ip],
            BenchTimeout);

        Assert.True(bench.ExitCode == 0, bench.ToString());
        Assert.Equal("0", Row(bench, "SET")[1]);
        Assert.Equal(["SET", "0", "0", "0", "-", "-", "-", "-", "-"], Row(bench, "SET"));
        Assert.Contains("GET misses: 0", bench.OutputLines);
        using var dump = JsonDocument.Parse(await Node.Http.GetStringAsync("/dump-content").WaitAsync(BenchTimeout));
        for (int i = 0; i < 50; i++)
        {
            Assert.True(dump.RootElement.TryGetProperty($"bench:{i}", out _), $"bench:{i} missing from the dump");
        }
    }

    [Fact]
    public async Task Bench_PrintsTheTableAsOneJsonDocument_WithJson()
    {
        var bench = await ClientProcess.RunAsync(
            ["bench", "--duration", "1", "--keys", "50", "--concurrency", "4", "--value-size", "7", "--json", "--node", Node.Ip],
            BenchTimeout);

        Assert.True(bench.ExitCode == 0, bench.ToString());
        using var document = JsonDocument.Parse(Assert.Single(bench.OutputLines));
        var root = document.RootElement;
        Assert.Equal($"{Node.Ip}:30000", root.GetProperty("target").GetString());
        Assert.Equal(4, root.GetProperty("loops").GetInt32());
        Assert.Equal(0.8, root.GetProperty("getRatio").GetDouble());
        Assert.Equal(7, root.GetProperty("valueSize").GetInt32());
        Assert.Equal(50, root.GetProperty("keys").GetInt32());
        Assert.Equal(0, root.GetProperty("errors").GetInt64());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("firstError").ValueKind);
        Assert.Equal(0, root.GetProperty("getMisses").GetInt64());
        var operations = root.GetProperty("operations").EnumerateArray().ToList();
        Assert.Equal(["GET", "SET", "ALL"], operations.Select(operation => operation.GetProperty("op").GetString()));
        Assert.Equal(
            operations[0].GetProperty("count").GetInt64() + operations[1].GetProperty("count").GetInt64(),
            operations[2].GetProperty("count").GetInt64());
        foreach (var operation in operations)
        {
            Assert.True(operation.GetProperty("count").GetInt64() > 0, bench.Output);
            var latencies = operation.GetProperty("latencyMs").EnumerateObject().ToList();
            Assert.Equal(["p50", "p90", "p99", "p99.9", "max"], latencies.Select(latency => latency.Name));
            var values = latencies.Select(latency => latency.Value.GetDouble()).ToList();
            Assert.True(values.SequenceEqual(values.Order()), $"p50 <= p90 <= p99 <= p99.9 <= max: {operation}");
        }

        // Progress still goes to stderr, as with the table.
        Assert.Contains(bench.ErrorLines, line => line.StartsWith("bench: preloading 50 keys", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bench_CountsErrorsAndStillPrintsTheSummary_WhenANodeDiesDuringTheRun()
    {
        await using var cluster = new LocalCluster();
        var gateway = await cluster.StartAsync("0");
        await gateway.WaitUntilReadyAsync(Formation);
        var victim = await cluster.StartAsync("1", linked: gateway);
        await cluster.WaitForMembersAsync(["0", "1"], Formation);

        const int keys = 100;
        var run = ClientProcess.RunAsync(["bench", "--duration", "8", "--keys", $"{keys}", "--node", gateway.Ip], BenchTimeout);

        // With two nodes and two copies every node holds every key: a full dump means the preload is done.
        await Poll.UntilAsync(
            async () =>
            {
                using var dump = JsonDocument.Parse(await gateway.Http.GetStringAsync("/dump-content"));
                int count = 0;
                foreach (var property in dump.RootElement.EnumerateObject())
                {
                    count += property.Name.StartsWith("bench:", StringComparison.Ordinal) ? 1 : 0;
                }

                return count == keys || run.IsCompleted;
            },
            BenchTimeout,
            "the bench's preload to reach node 0");
        victim.Kill();
        var bench = await run;

        Assert.True(bench.ExitCode == 0, bench.ToString());
        Assert.True(long.Parse(Row(bench, "ALL")[1], CultureInfo.InvariantCulture) > 0, bench.ToString());
        var errors = Assert.Single(bench.OutputLines, line => line.StartsWith("errors: ", StringComparison.Ordinal));
        Assert.Equal(long.Parse(Row(bench, "ALL")[3], CultureInfo.InvariantCulture), long.Parse(errors.Split(' ', ';')[1], CultureInfo.InvariantCulture));
        Assert.True(bench.Elapsed < TimeSpan.FromSeconds(8 + 5) + Formation, bench.ToString());
    }

    [Theory]
    [InlineData("--concurrency", "bench", "--concurrency", "0")]
    [InlineData("--concurrency", "bench", "--concurrency", "many")]
    [InlineData("--duration", "bench", "--duration", "-1")]
    [InlineData("--duration", "bench", "--duration")]
    [InlineData("--get-ratio", "bench", "--get-ratio", "1.5")]
    [InlineData("--get-ratio", "bench", "--get-ratio=-0.2")]
    [InlineData("--value-size", "bench", "--value-size", "1048577")]
    [InlineData("--value-size", "bench", "--value-size", "0")]
    [InlineData("--keys", "bench", "--keys", "0")]
    [InlineData("--keys", "get", "some-key", "--keys", "10")]
    [InlineData("usage: bench", "bench", "extra-argument")]
    public async Task Bench_ExitsTwoWithOneLineNamingTheOption_WhenAnOptionIsBad(string named, params string[] arguments)
    {
        var run = await ClientProcess.RunAsync([.. arguments, "--node", Node.Ip]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Empty(run.Output);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("Orleans.Cache: ", line);
        Assert.Contains(named, line);
    }

    [Fact]
    public async Task Help_ListsBenchAndItsOptions()
    {
        var help = await ClientProcess.RunAsync(["bench", "--help"]);

        Assert.True(help.ExitCode == 0, help.ToString());
        foreach (var text in new[] { "Client bench [options]", "--concurrency <N>", "--duration <S>", "--get-ratio <R>", "--value-size <B>", "--keys <K>", "--redis <ip[:port]>" })
        {
            Assert.Contains(text, help.Output);
        }
    }

    // A table row: the operation, then one column for each of the header's other names.
    private static string[] Row(ClientProcess bench, string operation) =>
        Assert.Single(bench.OutputLines.Select(Columns), columns => columns.Length == Header.Length && columns[0] == operation);

    private static string[] Columns(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
