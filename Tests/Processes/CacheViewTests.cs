using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using OrleansCache.Grains;
using OrleansCache.Grains.Routing;
using OrleansCache.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// The cache view beside the dashboard: the page as a user sees it in a real (headless) browser while a
/// node is killed, and <c>GET /cluster/buckets</c>, the map it draws, read over HTTP.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class CacheViewTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Formation = TimeSpan.FromSeconds(60);

    // Orleans declares a killed node dead in about 1 s and the page refreshes every 1.5 s; the rest is margin
    // for a shared 2-core machine.
    private static readonly TimeSpan Detection = TimeSpan.FromSeconds(30);

    // Each browser call; Playwright's own default is 30 s.
    private static readonly TimeSpan BrowserCall = TimeSpan.FromSeconds(15);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [CheckedFact]
    [Needs(Prerequisite.Chromium)]
    public async Task Page_ShowsEveryNodesKeysAndTheBucketMap_ThenAKilledNodesBucketsMovingToTheOthers()
    {
        var started = Stopwatch.StartNew();
        await using var cluster = new LocalCluster();
        var first = await cluster.StartAsync("a");
        await first.WaitUntilReadyAsync(Formation);
        await cluster.StartAsync("b", linked: first);
        await cluster.StartAsync("c", linked: first);
        await cluster.WaitForMembersAsync(["a", "b", "c"], Formation);

        // 300 keys, then 10 hits and 10 misses, all through node a.
        var entries = Enumerable.Range(0, 300).ToDictionary(i => $"view-{i}", i => $"value-{i}");
        using (var written = await first.Http.PostAsJsonAsync("/mset", new { entries }))
        {
            Assert.True(written.IsSuccessStatusCode, await written.Content.ReadAsStringAsync());
        }

        for (int i = 0; i < 10; i++)
        {
            Assert.Equal($"value-{i}", await first.GetAsync($"view-{i}"));
            Assert.Null(await first.GetAsync($"never-written-{i}"));
        }

        output.WriteLine($"3 nodes up and 300 keys written: {started.Elapsed.TotalSeconds:F1} s");

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync().WaitAsync(BrowserCall);
        page.SetDefaultTimeout((float)BrowserCall.TotalMilliseconds);
        page.SetDefaultNavigationTimeout((float)BrowserCall.TotalMilliseconds);

        // Reached the way the README tells users: beside the dashboard.
        var response = await page.GotoAsync($"http://{first.Ip}:8080/dashboard/cache").WaitAsync(BrowserCall);
        Assert.True(response is { Ok: true }, $"the page answered {response?.Status}");
        Assert.Equal($"http://{first.Ip}:8080/cache-view/", page.Url);
        output.WriteLine($"page open: {started.Elapsed.TotalSeconds:F1} s");

        var before = await WaitForPageAsync(
            page,
            view => view.Shows(active: ["a", "b", "c"], keys: entries.Count, BucketMap.Build(["a", "b", "c"], CacheOptions.DefaultBuckets, 2))
                && view.TotalHitRatio == "50.0 %",
            Formation,
            "3 Active nodes holding the 300 keys, 10 hits and 10 misses, and the map over a, b and c");
        Assert.True(await page.Locator("#bucket-grid").IsVisibleAsync().WaitAsync(BrowserCall));
        Assert.Equal(["a", "b", "c"], before.Cells.Select(c => c.Primary).Distinct().Order());
        Assert.All(before.Rows, row => Assert.Equal(cluster[row.Node].Ip, row.Ip));
        AssertColouredByPrimary(before);
        output.WriteLine($"page shows the cluster: {started.Elapsed.TotalSeconds:F1} s; " +
            $"keys per node {string.Join(", ", before.Rows.Select(r => $"{r.Node} {r.Keys}"))}");

        var killed = Stopwatch.StartNew();
        cluster["c"].Kill();

        // The same page, not reloaded: its own refresh must show the change.
        var after = await WaitForPageAsync(
            page,
            view => view.Shows(active: ["a", "b"], keys: entries.Count, BucketMap.Build(["a", "b"], CacheOptions.DefaultBuckets, 2))
                && view.Rows.All(row => row.Node != "c" || row.Status == "Dead"),
            Detection,
            "c shown Dead or gone, its buckets on a and b, and a and b holding the 300 keys");
        Assert.DoesNotContain(after.Cells, cell => cell.Primary == "c");
        Assert.DoesNotContain(after.Legend, item => item.Node == "c");
        AssertColouredByPrimary(after);
        output.WriteLine($"page shows c dead and its buckets moved {killed.Elapsed.TotalSeconds:F1} s after the kill; " +
            $"whole test {started.Elapsed.TotalSeconds:F1} s");
    }

    [CheckedFact]
    [Needs(Prerequisite.Chromium)]
    public async Task Page_AsksABrowserForThePassword_AndShowsTheNodeOnceGivenIt_WhenCachePasswordIsSet()
    {
        const string Password = "view secret";
        await using var node = await NodeProcess.StartReadyAsync("p", LoopbackAddresses.Next(), new Dictionary<string, string> { ["CACHE_PASSWORD"] = Password });
        await using var chromium = await HeadlessChromium.LaunchAsync();

        // Without a password to give, a headless browser answers the node's challenge by failing the navigation
        // (a browser with a window shows its password prompt there).
        var anonymous = await chromium.Browser.NewPageAsync().WaitAsync(BrowserCall);
        var refused = await Assert.ThrowsAsync<Microsoft.Playwright.PlaywrightException>(() => anonymous.GotoAsync($"http://{node.Ip}:8080/cache-view/").WaitAsync(BrowserCall));
        Assert.Contains("ERR_INVALID_AUTH_CREDENTIALS", refused.Message, StringComparison.Ordinal);

        // What a user typing the password into the browser's prompt gives: any user name and the password.
        await using var context = await chromium.Browser.NewContextAsync(new() { HttpCredentials = new() { Username = "ops", Password = Password } }).WaitAsync(BrowserCall);
        var page = await context.NewPageAsync().WaitAsync(BrowserCall);
        var response = await page.GotoAsync($"http://{node.Ip}:8080/dashboard/cache").WaitAsync(BrowserCall);
        Assert.True(response is { Ok: true }, $"the page answered {response?.Status}");

        // The page's own requests (/cluster, /stats, /cluster/buckets) carry the password too.
        var row = page.Locator("#node-rows tr[data-node='p'][data-status='Active']");
        await Poll.UntilAsync(async () => await row.CountAsync() == 1 && await page.Locator("#status").GetAttributeAsync("data-state") == "ok", Formation, "the page to show node p Active with every request answered");
    }

    [Fact]
    public async Task ClusterBuckets_NamesEveryCopyOfEveryBucket_AsTheBucketMapPlacesThem_OnEveryNode()
    {
        // Not the defaults, so a route that assumed 1024 buckets or one replica would show it.
        const int buckets = 512;
        const int copies = 3;
        await using var cluster = new LocalCluster(new Dictionary<string, string>
        {
            ["BUCKETS"] = buckets.ToString(CultureInfo.InvariantCulture),
            ["REPLICATION_FACTOR"] = copies.ToString(CultureInfo.InvariantCulture),
        });
        var first = await cluster.StartAsync("a");
        await first.WaitUntilReadyAsync(Formation);
        await cluster.StartAsync("c", linked: first);
        await cluster.StartAsync("b", linked: first);
        await cluster.WaitForMembersAsync(["a", "b", "c"], Formation);

        var expected = BucketMap.Build(["c", "a", "b"], buckets, copies);
        foreach (var node in cluster.Nodes)
        {
            // A node maps onto the nodes whose grain types it has learned, a moment after it sees them active.
            string body = "";
            await Poll.UntilAsync(
                async () =>
                {
                    body = await node.Http.GetStringAsync("/cluster/buckets");
                    return body.Contains("\"nodes\":[\"a\",\"b\",\"c\"]", StringComparison.Ordinal);
                },
                Formation,
                () => $"node {node.NodeId}'s map to cover a, b and c; last: {body[..Math.Min(body.Length, 200)]}");

            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            Assert.Equal(["buckets", "copies", "nodes", "primary", "replicas"], root.EnumerateObject().Select(p => p.Name));
            Assert.Equal(buckets, root.GetProperty("buckets").GetInt32());
            Assert.Equal(copies, root.GetProperty("copies").GetInt32());
            var nodes = root.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()!).ToList();
            var primary = root.GetProperty("primary").EnumerateArray().Select(p => p.GetInt32()).ToList();
            var replicas = root.GetProperty("replicas").EnumerateArray()
                .Select(r => r.EnumerateArray().Select(i => i.GetInt32()).ToList()).ToList();
            Assert.Equal(buckets, primary.Count);
            Assert.Equal(buckets, replicas.Count);
            for (int bucket = 0; bucket < buckets; bucket++)
            {
                Assert.Equal(expected.GetNode(bucket, rank: 0), nodes[primary[bucket]]);
                Assert.Equal(
                    Enumerable.Range(1, copies - 1).Select(rank => expected.GetNode(bucket, rank)),
                    replicas[bucket].Select(i => nodes[i]));
            }
        }
    }

    // Each node's legend swatch has the colour of every cell it is the primary of, and no two nodes share one.
    private static void AssertColouredByPrimary(PageView view)
    {
        var legend = view.Legend.ToDictionary(item => item.Node, item => item.Colour);
        Assert.Equal(legend.Count, legend.Values.Distinct().Count());
        Assert.All(view.Cells, cell => Assert.Equal(legend[cell.Primary], cell.Colour));
    }

    private async Task<PageView> WaitForPageAsync(IPage page, Func<PageView, bool> shows, TimeSpan timeout, string what)
    {
        PageView? last = null;
        await Poll.UntilAsync(
            async () =>
            {
                last = await ReadPageAsync(page);
                return shows(last);
            },
            timeout,
            () => $"the page to show {what}; it showed: {(last is null ? "nothing" : last.Describe())}");
        output.WriteLine($"page: {last!.Describe()}");
        return last;
    }

    // What the page shows: the nodes table, the legend and the grid, read from the page as drawn.
    private static async Task<PageView> ReadPageAsync(IPage page)
    {
        const string read = """
            () => {
              const text = (element, field) => element.querySelector(`[data-field="${field}"]`).textContent;
              return JSON.stringify({
                status: document.getElementById('status').textContent,
                rows: [...document.querySelectorAll('#node-rows tr[data-node]')].map((row) => ({
                  node: row.dataset.node, ip: text(row, 'ip'), status: text(row, 'status'), keys: text(row, 'keys'),
                })),
                totalHitRatio: text(document.getElementById('totals'), 'hitRatio'),
                legend: [...document.querySelectorAll('#legend li[data-node]')].map((item) => ({
                  node: item.dataset.node, colour: getComputedStyle(item.querySelector('.swatch')).backgroundColor,
                })),
                cells: [...document.querySelectorAll('#bucket-grid [data-bucket]')].map((cell) => ({
                  bucket: Number(cell.dataset.bucket), primary: cell.dataset.primary ?? '', title: cell.title,
                  colour: getComputedStyle(cell).backgroundColor,
                })),
              });
            }
            """;
        return JsonSerializer.Deserialize<PageView>(await page.EvaluateAsync<string>(read).WaitAsync(BrowserCall), Json)!;
    }

    private sealed record PageView(string Status, IReadOnlyList<RowView> Rows, string TotalHitRatio, IReadOnlyList<LegendView> Legend, IReadOnlyList<CellView> Cells)
    {
        /// <summary>
        /// Whether the page lists exactly <paramref name="active"/> as Active, their key counts sum to
        /// <paramref name="keys"/>, and the grid has a cell per bucket whose hover text names the nodes
        /// <paramref name="map"/> gives it.
        /// </summary>
        public bool Shows(IReadOnlyList<string> active, long keys, BucketMap map) =>
            ActiveRows.Select(row => row.Node).Order().SequenceEqual(active)
            && ActiveRows.All(row => row.KeyCount is not null)
            && ActiveRows.Sum(row => row.KeyCount!.Value) == keys
            && Cells.Count == map.Buckets
            && Cells.All(cell => cell.Title == $"bucket {cell.Bucket}: primary {map.GetNode(cell.Bucket, 0)}, replica {map.GetNode(cell.Bucket, 1)}");

        private IEnumerable<RowView> ActiveRows => Rows.Where(row => row.Status == "Active");

        public string Describe() =>
            $"status '{Status}'; nodes {string.Join(", ", Rows.Select(r => $"{r.Node} {r.Status} {r.Keys} keys"))}; " +
            $"legend {string.Join(", ", Legend.Select(l => $"{l.Node} {l.Colour}"))}; {Cells.Count} cells, primaries " +
            string.Join(", ", Cells.GroupBy(c => c.Primary).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"));
    }

    private sealed record RowView(string Node, string Ip, string Status, string Keys)
    {
        // As shown: digits grouped with commas ("1,024"), or a dash while the node's stats are unknown.
        public long? KeyCount => long.TryParse(Keys, NumberStyles.AllowThousands, CultureInfo.GetCultureInfo("en-US"), out long count) ? count : null;
    }

    private sealed record LegendView(string Node, string Colour);

    private sealed record CellView(int Bucket, string Primary, string Title, string Colour);
}
