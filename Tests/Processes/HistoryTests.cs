using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using OrleansCache.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// The data-safety promise, checked the way a user would see it: five node processes under concurrent
/// writes and reads, over HTTP and over the Orleans client, through a kill -9, a join, a kill -9 of the
/// node everyone linked to (the lowest NODE_ID, the membership table's host) and a SIGTERM; with counters
/// incremented over HTTP and the Redis protocol through the same faults.
/// </summary>
/// <remarks>
/// HISTORY_PHASE_SECONDS sets how long load runs between faults (default 3, what CI runs); the figures in
/// docs/reliability.md come from <c>HISTORY_PHASE_SECONDS=20</c>. Each run appends its summary to
/// artifacts/history-runs.log.
/// </remarks>
[Collection(ProcessCollection.Name)]
public sealed class HistoryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Formation = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);
    private const int Keys = 200;
    private const int Counters = 20;

    [Fact]
    public async Task EveryAcknowledgedWrite_Survives_KillJoinKillOfTheHubAndSigterm_WithNoStaleOrMissedRead()
    {
        var phase = TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("HISTORY_PHASE_SECONDS"), out int s) && s > 0 ? s : 3);
        var log = new StringBuilder();
        var clock = Stopwatch.StartNew();
        void Note(string line)
        {
            log.AppendLine($"{clock.Elapsed.TotalSeconds,6:F1} s  {line}");
            output.WriteLine(line);
        }

        await using var cluster = new LocalCluster();
        var hub = await cluster.StartAsync("0");
        await hub.WaitUntilReadyAsync(Formation);
        foreach (var id in new[] { "1", "2", "3", "4" })
        {
            // One at a time, as an operator rolls nodes out: four .NET processes starting at once on a
            // loaded 2-core machine starve each other's probes, and a joining node can be declared dead.
            var node = await cluster.StartAsync(id, linked: hub);
            await node.WaitUntilReadyAsync(Formation);
        }

        await cluster.WaitForMembersAsync(["0", "1", "2", "3", "4"], Formation);
        Note("5 nodes active");

        using var client = await ClusterClientHost.StartAsync(cluster["1"].Ip, Formation);
        var balancer = new NodeBalancer(cluster.Nodes);
        var history = new KeyHistory(Keys);
        var counters = new CounterHistory(Counters);
        using var stop = new CancellationTokenSource();
        var workers = new List<Task>();
        for (int w = 0; w < 4; w++)
        {
            workers.Add(history.WriteAsync(balancer.WriteAsync, writer: w, writers: 8, stop.Token));
            workers.Add(history.WriteAsync(client.Cache, writer: w + 4, writers: 8, stop.Token));
        }

        for (int r = 0; r < 2; r++)
        {
            workers.Add(history.ReadAsync(balancer.ReadAsync, stop.Token));
            workers.Add(history.ReadAsync(client.Cache, stop.Token));
        }

        // Counters through the same faults: incremented over HTTP and the Redis protocol, read over HTTP.
        workers.Add(counters.IncrementAsync(balancer.IncrementAsync, stop.Token));
        workers.Add(counters.IncrementAsync(balancer.IncrementOverRespAsync, stop.Token));
        workers.Add(counters.ReadAsync(balancer.ReadCounterAsync, stop.Token));

        async Task RunLoadAsync(string after)
        {
            long acknowledged = history.Acknowledged;
            await Task.Delay(phase);
            await Poll.UntilAsync(() => Task.FromResult(history.Acknowledged > acknowledged + 100), Settle, $"writes to go on after {after}");
        }

        async Task SettleAsync(string[] active, string[] dead, string what)
        {
            var started = Stopwatch.GetTimestamp();
            await cluster.WaitForMembersAsync(active, Settle, dead);
            var declared = Stopwatch.GetElapsedTime(started);
            await WaitForTwoCopiesOfEveryKeyAsync(cluster, history);
            Note($"{what}: members agree after {declared.TotalSeconds:F1} s, every key on two nodes after {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
            await RunLoadAsync(what);
        }

        await RunLoadAsync("the start");
        await WaitForTwoCopiesOfEveryKeyAsync(cluster, history);

        cluster["3"].Kill();
        balancer.Remove("3");
        await SettleAsync(["0", "1", "2", "4"], ["3"], "kill -9 of node 3");

        var joined = await cluster.StartAsync("5", linked: cluster["1"]);
        await joined.WaitUntilReadyAsync(Formation);
        balancer.Add(joined);
        await SettleAsync(["0", "1", "2", "4", "5"], ["3"], "join of node 5");

        cluster["0"].Kill();
        balancer.Remove("0");
        await SettleAsync(["1", "2", "4", "5"], ["0", "3"], "kill -9 of node 0 (hub, table host, lowest id)");

        var leaving = cluster["4"];
        balancer.Remove("4");
        leaving.Terminate();
        Assert.Equal(0, await leaving.WaitForExitAsync(Settle));
        await SettleAsync(["1", "2", "5"], ["0", "3"], "SIGTERM of node 4");

        await stop.CancelAsync();
        await Task.WhenAll(workers).WaitAsync(Settle);
        await history.CheckFinalValuesAsync(balancer.ReadAsync, CancellationToken.None);
        await history.CheckFinalValuesAsync(
            async (key, _, _) => await client.Cache.GetAsync(key) is { } entry ? Encoding.UTF8.GetString(entry.Value) : null,
            CancellationToken.None);

        await counters.CheckFinalValuesAsync(balancer.ReadCounterAsync);
        Note($"counter increments acknowledged: {counters.Acknowledged}, failed (outcome unknown): {counters.Failed}, counter reads checked: {counters.Reads}");
        Note($"counter violations (lost, applied twice, read back): {counters.Violations.Count}");
        Note($"writes acknowledged: {history.Acknowledged}");
        Note($"reads checked: {history.Reads}");
        Note($"lost: {history.Lost.Count}");
        Note($"stale reads: {history.StaleReads}");
        Note($"reads that missed an acknowledged key: {history.MissedReads}");
        Note($"failed requests (retried): {history.FailedRequests}");
        Note($"longest window in which requests failed: {history.LongestFailureWindow.TotalSeconds:F2} s");
        await AppendRunLogAsync(phase, log.ToString());

        Assert.True(history.Lost.Count == 0, string.Join(Environment.NewLine, history.Lost.Take(10)));
        Assert.True(history.Violations.Count == 0, string.Join(Environment.NewLine, history.Violations.Take(10)));
        Assert.True(counters.Violations.Count == 0, string.Join(Environment.NewLine, counters.Violations.Take(10)));
        Assert.True(history.LongestFailureWindow < TimeSpan.FromSeconds(5), $"requests failed for {history.LongestFailureWindow.TotalSeconds:F1} s in a row:\n{history.FailureSamples}");
    }

    /// <summary>Polls every live node's dump until each acknowledged key is held by exactly two nodes.</summary>
    private static Task WaitForTwoCopiesOfEveryKeyAsync(LocalCluster cluster, KeyHistory history)
    {
        string last = "not read yet";
        return Poll.UntilAsync(
            async () =>
            {
                var holders = new Dictionary<string, int>();
                foreach (var node in cluster.Nodes.Where(n => !n.HasExited))
                {
                    using var dump = JsonDocument.Parse(await node.Http.GetStringAsync("/dump-content"));
                    foreach (var entry in dump.RootElement.EnumerateObject())
                    {
                        holders[entry.Name] = holders.GetValueOrDefault(entry.Name) + 1;
                    }
                }

                var wrong = Enumerable.Range(0, Keys).Select(history.Key)
                    .Where(k => holders.GetValueOrDefault(k) != 2).ToList();
                last = $"{wrong.Count} keys not on exactly two nodes, e.g. {string.Join(", ", wrong.Take(3).Select(k => $"{k} on {holders.GetValueOrDefault(k)}"))}";
                return wrong.Count == 0;
            },
            Settle,
            () => last);
    }

    private async Task AppendRunLogAsync(TimeSpan phase, string summary)
    {
        var directory = Path.Combine(RepositoryPaths.Root, "artifacts");
        Directory.CreateDirectory(directory);
        await File.AppendAllTextAsync(
            Path.Combine(directory, "history-runs.log"),
            $"== {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}Z, HISTORY_PHASE_SECONDS={phase.TotalSeconds}\n{summary}\n");
    }

    /// <summary>
    /// Spreads HTTP requests over the nodes the test has not stopped, as a load balancer would, and stays
    /// away from a node for a few seconds after a request to it failed (a passive health check).
    /// </summary>
    private sealed class NodeBalancer
    {
        private readonly ConcurrentDictionary<string, NodeProcess> _nodes = new();
        private readonly ConcurrentDictionary<string, long> _avoidUntil = new();

        public NodeBalancer(IEnumerable<NodeProcess> nodes)
        {
            foreach (var node in nodes.Where(n => !n.HasExited))
            {
                _nodes[node.NodeId] = node;
            }
        }

        public void Add(NodeProcess node) => _nodes[node.NodeId] = node;

        public void Remove(string nodeId) => _nodes.TryRemove(nodeId, out _);

        public async Task<string?> WriteAsync(string key, string? value, CancellationToken cancellationToken)
        {
            var node = Pick();
            try
            {
                using var response = await node.Http.PutAsync(CachePath(key), new ByteArrayContent(Encoding.UTF8.GetBytes(value!)), cancellationToken);
                response.EnsureSuccessStatusCode();
                return null;
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                Avoid(node);
                throw;
            }
        }

        public async Task<string?> ReadAsync(string key, string? value, CancellationToken cancellationToken)
        {
            var node = Pick();
            try
            {
                using var response = await node.Http.GetAsync(CachePath(key), cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }

                response.EnsureSuccessStatusCode();
                return await response.Content.ReadAsStringAsync(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                Avoid(node);
                throw;
            }
        }

        public Task<long> IncrementAsync(string key, CancellationToken cancellationToken) =>
            OnANodeAsync(
                async node =>
                {
                    using var response = await node.Http.PostAsync($"/incr/{Uri.EscapeDataString(key)}?by=1", content: null, cancellationToken);
                    response.EnsureSuccessStatusCode();
                    using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                    return body.RootElement.GetProperty("value").GetInt64();
                },
                cancellationToken);

        // A connection per increment: the node it reaches may be the next one killed.
        public Task<long> IncrementOverRespAsync(string key, CancellationToken cancellationToken) =>
            OnANodeAsync(
                async node =>
                {
                    await using var resp = await RespSocket.ConnectAsync(node);
                    await resp.SendAsync(RespSocket.Command("INCR", key));
                    string reply = await resp.ReadReplyAsync();
                    return reply.StartsWith(':') ? long.Parse(reply[1..]) : throw new InvalidOperationException($"INCR answered {reply}");
                },
                cancellationToken);

        public async Task<long?> ReadCounterAsync(string key, CancellationToken cancellationToken) =>
            await ReadAsync(key, null, cancellationToken) is { } text ? long.Parse(text) : null;

        private static string CachePath(string key) => $"/cache/{Uri.EscapeDataString(key)}";

        // Sends one request to a node picked as Pick does, and stays away from it a while if it fails.
        private async Task<T> OnANodeAsync<T>(Func<NodeProcess, Task<T>> request, CancellationToken cancellationToken)
        {
            var node = Pick();
            try
            {
                return await request(node);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                Avoid(node);
                throw;
            }
        }

        private NodeProcess Pick()
        {
            var candidates = _nodes.Values.ToList();
            var healthy = candidates.Where(n => _avoidUntil.GetValueOrDefault(n.NodeId) < Stopwatch.GetTimestamp()).ToList();
            var from = healthy.Count > 0 ? healthy : candidates;
            return from[Random.Shared.Next(from.Count)];
        }

        private void Avoid(NodeProcess node) =>
            _avoidUntil[node.NodeId] = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 3;
    }
}
