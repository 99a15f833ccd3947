using System.Diagnostics;
using System.Net;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// How a published node starts and stops as a process: refusing bad settings at once, and leaving
/// cleanly when an orchestrator sends SIGTERM.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class NodeLifecycleTests
{
    [Theory]
    [InlineData("BUCKETS=abc")]
    [InlineData("NODE_IP=not-an-ip")]
    [InlineData("BUCKETS=abc", "NODE_IP=not-an-ip")]
    public async Task Node_ExitsNonZeroNamingEachBadVariable_WhenSettingsAreBad(params string[] settings)
    {
        var environment = settings.Select(s => s.Split('=', 2)).ToDictionary(s => s[0], s => s[1]);
        var stopwatch = Stopwatch.StartNew();
        await using var node = await NodeProcess.StartAsync("bad-settings", LoopbackAddresses.Next(), environment);

        int exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode != 0, $"Exited with 0:\n{node.Output}");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"Took {stopwatch.Elapsed.TotalSeconds:0.#} s to refuse its settings.");
        foreach (var (variable, value) in environment)
        {
            // The message, naming the variable and the value given, may still be on its way through the pipe.
            await Poll.UntilAsync(
                () => Task.FromResult(node.Output.Contains(variable, StringComparison.Ordinal) && node.Output.Contains($"'{value}'", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(5),
                $"output naming {variable} and '{value}'; it was:\n{node.Output}");
        }
    }

    [Fact]
    public async Task Node_RefusesSettingsThatReadButCannotWork_InOneLineWithExitCode2()
    {
        // Each of these is read fine and refused by its options' validator, before anything starts: Kestrel would
        // otherwise refuse the port in its own words, and the ADO.NET provider the missing connection string.
        var environment = new Dictionary<string, string> { ["HTTP_PORT"] = "70000", ["BUCKETS"] = "0", ["CLUSTERING"] = "adonet" };
        await using var node = await NodeProcess.StartAsync("invalid-settings", LoopbackAddresses.Next(), environment);

        int exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 2, $"Exited with {exitCode}:\n{node.Output}");
        await Poll.UntilAsync(
            () => Task.FromResult(node.Output.Contains("not started", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(5),
            $"the refusal; the output was:\n{node.Output}");
        var refusal = node.Output.Split('\n').Single(line => line.Contains("not started", StringComparison.Ordinal));
        Assert.Contains("HTTP_PORT must be between 1 and 65535; it is 70000.", refusal, StringComparison.Ordinal);
        Assert.Contains("BUCKETS must be a power of two from 1 to 16384", refusal, StringComparison.Ordinal);
        Assert.Contains("ADONET_CONNECTION_STRING is required", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_ExitsWithCode0_WhenSentSigterm()
    {
        await using var node = await NodeProcess.StartReadyAsync("sigterm-node", LoopbackAddresses.Next());
        using (var put = await node.Http.PutAsync("/cache/held", new ByteArrayContent("x"u8.ToArray())).WaitAsync(TimeSpan.FromSeconds(30)))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        node.Terminate();
        int exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 0, $"Exited with {exitCode}:\n{node.Output}");
    }

    [Fact]
    public async Task Node_WritesEachLogEntryAsOneJsonObjectPerLine_WhenLogFormatIsJson()
    {
        await using var node = await NodeProcess.StartReadyAsync("json-logs", LoopbackAddresses.Next(), new Dictionary<string, string> { ["LOG_FORMAT"] = "json" });

        // The silo logs its start at Information (Silo/appsettings.json); stop the node so every line is out.
        node.Terminate();
        Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var lines = node.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            using var entry = System.Text.Json.JsonDocument.Parse(line);
            Assert.True(entry.RootElement.TryGetProperty("Timestamp", out _), $"No Timestamp in: {line}");
            Assert.True(entry.RootElement.TryGetProperty("LogLevel", out _), $"No LogLevel in: {line}");
            Assert.True(entry.RootElement.TryGetProperty("Category", out _), $"No Category in: {line}");
        }

        Assert.Contains(lines, line => line.Contains("\"Category\":\"Orleans.Runtime.Silo\"", StringComparison.Ordinal));
    }
}
