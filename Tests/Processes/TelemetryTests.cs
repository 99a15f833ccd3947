using System.Globalization;
using System.Net;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// <c>GET /metrics</c> as a Prometheus server scrapes it, and the traces a node exports over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class TelemetryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Metrics_CountTheCommandsHitsAndMissesUsersCaused_AtEachDoor()
    {
        await using var node = await NodeProcess.StartReadyAsync("metrics", LoopbackAddresses.Next());
        var before = await ScrapeAsync(node);

        // Over HTTP: a write, a hit, a miss and a request refused for its input (an empty key).
        Assert.Equal(HttpStatusCode.NoContent, (await node.Http.PutAsync("/cache/m-http", new StringContent("v"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await node.Http.GetAsync("/cache/m-http")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync("/cache/m-none")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await node.Http.PutAsync("/cache/", new StringContent("v"))).StatusCode);

        // Over the Redis protocol: the same, and a command no node knows.
        await using (var resp = await RespSocket.ConnectAsync(node))
        {
            foreach (var (command, reply) in new[]
            {
                (RespSocket.Command("SET", "m-resp", "v"), "+OK"),
                (RespSocket.Command("GET", "m-resp"), "v"),
                (RespSocket.Command("GET", "m-none"), "$-1"),
                (RespSocket.Command("NOSUCH", "x"), "-ERR unknown command"),
            })
            {
                await resp.SendAsync(command);
                Assert.StartsWith(reply, await resp.ReadReplyAsync(), StringComparison.Ordinal);
            }
        }

        Dictionary<string, double> after = [];
        await Poll.UntilAsync(
            async () =>
            {
                after = await ScrapeAsync(node);
                return Delta(before, after, Series("orleans_cache_hits_total")) >= 2;
            },
            Timeout,
            () => $"hits to reach 2; the scrape has:\n{string.Join('\n', after.Where(s => s.Key.StartsWith("orleans_cache", StringComparison.Ordinal) && !s.Key.Contains("_bucket{", StringComparison.Ordinal)).Select(s => $"{s.Key} {s.Value} (was {before.GetValueOrDefault(s.Key)})"))}");

        Assert.Equal(2, Delta(before, after, Series("orleans_cache_hits_total")));
        Assert.Equal(2, Delta(before, after, Series("orleans_cache_misses_total")));
        Assert.Equal(1, Delta(before, after, Commands("http", "PUT /cache/{**key}", "ok")));
        Assert.Equal(2, Delta(before, after, Commands("http", "GET /cache/{**key}", "ok")));
        Assert.Equal(1, Delta(before, after, Commands("http", "PUT /cache/{**key}", "rejected")));
        Assert.Equal(1, Delta(before, after, Commands("resp", "set", "ok")));
        Assert.Equal(2, Delta(before, after, Commands("resp", "get", "ok")));
        Assert.Equal(1, Delta(before, after, Commands("resp", "unknown", "rejected")));
        Assert.True(after[Series("orleans_cache_keys", "copy=\"primary\"")] >= 2);
        Assert.True(after[Series("orleans_cache_memory_used_bytes")] > 0);
        Assert.Equal(1, after[Series("orleans_cache_members", "status=\"Active\"")]);

        // Orleans' own meters are exported beside ours.
        Assert.Contains(after.Keys, k => k.StartsWith("orleans_catalog_activation", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Traces_ShowTheDoor_ThenTheBucketCall_ThenItsReplicaCall_WhenAnOtlpEndpointIsSet()
    {
        await using var receiver = OtlpTraceReceiver.Start();
        await using var cluster = new LocalCluster(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });
        var a = await cluster.StartAsync("a");
        await a.WaitUntilReadyAsync(Timeout);
        var b = await cluster.StartAsync("b", linked: a);
        await b.WaitUntilReadyAsync(Timeout);
        await cluster.WaitForMembersAsync(["a", "b"], Timeout);

        // With two nodes every bucket has a replica; keep writing until one write's trace shows both calls.
        string? found = null;
        int written = 0;
        await Poll.UntilAsync(
            async () =>
            {
                await a.SetEventuallyAsync($"traced-{written++}", "v", Timeout);
                await using (var resp = await RespSocket.ConnectAsync(b))
                {
                    await resp.SendAsync(RespSocket.Command("SET", $"traced-resp-{written}", "v"));
                    Assert.Equal("+OK", await resp.ReadReplyAsync());
                }

                found = FindChain(receiver.Spans, "POST /set") is { } overHttp && FindChain(receiver.Spans, "set") is { } overResp
                    ? $"{overHttp}\n{overResp}"
                    : null;
                return found is not null;
            },
            Timeout,
            () => $"a trace from each door through IBucketGrain to IReplicaGrain; spans received: "
                + string.Join(", ", receiver.Spans.Select(s => s.Name).Distinct()));
        Assert.NotNull(found);
    }

    // A trace in which a span named `door` has a descendant bucket grain call, itself with a descendant
    // replica grain call; returned as the names along that chain.
    private static string? FindChain(IReadOnlyList<OtlpTraceReceiver.Span> spans, string door)
    {
        var byId = spans.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        bool Under(OtlpTraceReceiver.Span span, OtlpTraceReceiver.Span ancestor)
        {
            for (var at = span; byId.TryGetValue(at.ParentSpanId, out var parent); at = parent)
            {
                if (parent.SpanId == ancestor.SpanId)
                {
                    return true;
                }
            }

            return false;
        }

        foreach (var root in spans.Where(s => s.Name == door))
        {
            foreach (var bucket in spans.Where(s => s.TraceId == root.TraceId && s.Name.StartsWith("IBucketGrain/", StringComparison.Ordinal) && Under(s, root)))
            {
                if (spans.FirstOrDefault(s => s.TraceId == root.TraceId && s.Name.StartsWith("IReplicaGrain/", StringComparison.Ordinal) && Under(s, bucket)) is { } replica)
                {
                    return $"{root.Name} → {bucket.Name} → {replica.Name}";
                }
            }
        }

        return null;
    }

    private static string Commands(string door, string command, string outcome) =>
        Series("orleans_cache_command_duration_seconds_count", $"command=\"{command}\"", $"door=\"{door}\"", $"outcome=\"{outcome}\"");

    private static string Series(string name, params string[] labels) =>
        $"{name}{{otel_scope_name=\"OrleansCache\"{string.Concat(labels.Select(l => "," + l))}}}";

    private static double Delta(Dictionary<string, double> before, Dictionary<string, double> after, string series) =>
        after.GetValueOrDefault(series) - before.GetValueOrDefault(series);

    // Prometheus text: `name{labels} value` per sample line; comments skipped.
    private static async Task<Dictionary<string, double>> ScrapeAsync(NodeProcess node)
    {
        using var response = await node.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            int space = line.LastIndexOf(' ');
            if (line.Length == 0 || line[0] == '#' || space < 0)
            {
                continue;
            }

            samples[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }

        return samples;
    }
}
