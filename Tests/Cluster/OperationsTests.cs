using System.Text;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Cluster;

/// <summary>
/// The facade's operations beyond get and set, as the HTTP API and a Redis front door use them: conditional
/// and batch writes, counters, existence, statistics, and the errors each refuses with.
/// </summary>
[Collection(CacheClusterCollection.Name)]
public sealed class OperationsTests(CacheClusterFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private CacheClient Cache => fixture.Cache;

    [Fact]
    public async Task SetIfAbsent_WritesOnlyTheFirstTime_AndReturnsThePreviousValueWhenAsked()
    {
        var first = await Cache.SetAsync("ops-nx", Raw("one"), new SetOptions { Condition = SetCondition.IfAbsent }).WaitAsync(Timeout);
        var second = await Cache.SetAsync("ops-nx", Raw("two"), new SetOptions { Condition = SetCondition.IfAbsent, ReturnPrevious = true }).WaitAsync(Timeout);

        Assert.True(first.Written);
        Assert.False(second.Written);
        Assert.Equal(first.Version, second.Version);
        Assert.Equal("one", Text(second.Previous));
        Assert.Equal("one", Text(await Cache.GetAsync("ops-nx").WaitAsync(Timeout)));
    }

    [Fact]
    public async Task SetIfPresent_WritesNothing_WhenTheKeyIsAbsent()
    {
        var absent = await Cache.SetAsync("ops-xx", Raw("x"), new SetOptions { Condition = SetCondition.IfPresent }).WaitAsync(Timeout);
        await Cache.SetAsync("ops-xx", "a"u8.ToArray()).WaitAsync(Timeout);
        var present = await Cache.SetAsync("ops-xx", Raw("b"), new SetOptions { Condition = SetCondition.IfPresent, ReturnPrevious = true }).WaitAsync(Timeout);

        Assert.False(absent.Written);
        Assert.Equal(0, absent.Version);
        Assert.True(present.Written);
        Assert.Equal("a", Text(present.Previous));
        Assert.Equal("b", Text(await Cache.GetAsync("ops-xx").WaitAsync(Timeout)));
    }

    [Fact]
    public async Task CompareAndSet_WritesOnlyOverTheVersionItRead()
    {
        long version = await Cache.SetAsync("ops-cas", "v1"u8.ToArray()).WaitAsync(Timeout);

        var stale = await Cache.SetAsync("ops-cas", Raw("v2"), new SetOptions { Condition = SetCondition.IfVersion, Version = version - 1 }).WaitAsync(Timeout);
        var current = await Cache.SetAsync("ops-cas", Raw("v2"), new SetOptions { Condition = SetCondition.IfVersion, Version = version }).WaitAsync(Timeout);
        var again = await Cache.SetAsync("ops-cas", Raw("v3"), new SetOptions { Condition = SetCondition.IfVersion, Version = version }).WaitAsync(Timeout);

        Assert.False(stale.Written);
        Assert.True(current.Written);
        Assert.True(current.Version > version);
        Assert.False(again.Written);
        Assert.Equal(current.Version, again.Version);
        Assert.Equal("v2", Text(await Cache.GetAsync("ops-cas").WaitAsync(Timeout)));
    }

    [Fact]
    public async Task ConcurrentCompareAndSets_OfOneVersion_LetExactlyOneWin()
    {
        long version = await Cache.SetAsync("ops-race", "start"u8.ToArray()).WaitAsync(Timeout);

        var attempts = Enumerable.Range(0, 20).Select(i =>
            Cache.SetAsync("ops-race", Raw($"writer {i}"), new SetOptions { Condition = SetCondition.IfVersion, Version = version }));
        var results = await Task.WhenAll(attempts).WaitAsync(Timeout);

        var winner = Assert.Single(results, r => r.Written);
        var stored = await Cache.GetAsync("ops-race").WaitAsync(Timeout);
        Assert.Equal(winner.Version, stored!.Version);
        Assert.All(results.Where(r => !r.Written), r => Assert.Equal(winner.Version, r.Version));
    }

    [Fact]
    public async Task Increment_CountsFromZero_AndStoresDecimalText()
    {
        long first = await Cache.IncrementAsync("ops-counter").WaitAsync(Timeout);
        long second = await Cache.IncrementAsync("ops-counter", 41).WaitAsync(Timeout);
        long third = await Cache.IncrementAsync("ops-counter", -50).WaitAsync(Timeout);

        Assert.Equal((1, 42, -8), (first, second, third));
        Assert.Equal("-8", Text(await Cache.GetAsync("ops-counter").WaitAsync(Timeout)));
        Assert.Equal("-8", Text((await fixture.GetReplicaCopyAsync("ops-counter")).Entries["ops-counter"]));
    }

    [Fact]
    public async Task ConcurrentIncrements_AreNeverLost()
    {
        var increments = Enumerable.Range(0, 200).Select(_ => Cache.IncrementAsync("ops-atomic"));
        await Task.WhenAll(increments).WaitAsync(Timeout);

        Assert.Equal("200", Text(await Cache.GetAsync("ops-atomic").WaitAsync(Timeout)));
    }

    [Theory]
    [InlineData("not a number")]
    [InlineData("1.5")]
    [InlineData(" 7")]
    [InlineData("+7")]
    [InlineData("99999999999999999999")]
    [InlineData("")]
    public async Task Increment_IsRefusedAndChangesNothing_WhenTheValueIsNotAnInteger(string value)
    {
        string key = $"ops-nan {value}";
        await Cache.SetAsync(key, Encoding.UTF8.GetBytes(value)).WaitAsync(Timeout);

        var error = await Assert.ThrowsAsync<CacheArgumentException>(() => Cache.IncrementAsync(key).WaitAsync(Timeout));

        Assert.Equal(CacheArgumentError.NotAnInteger, error.Error);
        Assert.Equal(value, Text(await Cache.GetAsync(key).WaitAsync(Timeout)));
    }

    [Theory]
    [InlineData(long.MaxValue, 1)]
    [InlineData(long.MinValue, -1)]
    [InlineData(-2, long.MinValue)]
    public async Task Increment_IsRefusedAndChangesNothing_WhenTheResultWouldOverflow(long start, long by)
    {
        string key = $"ops-overflow {start} {by}";
        await Cache.SetAsync(key, Encoding.ASCII.GetBytes(start.ToString(System.Globalization.CultureInfo.InvariantCulture))).WaitAsync(Timeout);

        var error = await Assert.ThrowsAsync<CacheArgumentException>(() => Cache.IncrementAsync(key, by).WaitAsync(Timeout));

        Assert.Equal(CacheArgumentError.IntegerOverflow, error.Error);
        Assert.Equal(start, long.Parse(Text(await Cache.GetAsync(key).WaitAsync(Timeout))!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task SetManyAndGetMany_SpanManyBuckets_AndKeepTheCallersOrder()
    {
        var entries = Enumerable.Range(0, 50).Select(i => KeyValuePair.Create($"ops-batch-{i}", Raw($"value {i}"))).ToList();

        await Cache.SetManyAsync(entries).WaitAsync(Timeout);
        var keys = entries.Select(e => e.Key).Reverse().Append("ops-batch-missing").ToList();
        var values = await Cache.GetManyAsync(keys).WaitAsync(Timeout);

        Assert.True(entries.Select(e => Cache.GetBucketAsync(e.Key).AsTask().Result).Distinct().Count() > 10);
        Assert.Equal(keys.Take(50).Select(k => "value " + k["ops-batch-".Length..]), values.Take(50).Select(Text));
        Assert.Null(values[^1]);
        Assert.Equal("value 7", Text((await fixture.GetReplicaCopyAsync("ops-batch-7")).Entries["ops-batch-7"]));
    }

    [Fact]
    public async Task SetManyAndGetMany_CallEachBucketOnce()
    {
        var keys = Enumerable.Range(0, 200).Select(i => $"ops-grouped-{i}").ToList();
        var buckets = keys.Select(k => (long)Cache.GetBucketAsync(k).AsTask().Result).ToHashSet();

        var setCalls = await CallsDuringAsync("SetManyAsync", () => Cache.SetManyAsync(keys.Select(k => KeyValuePair.Create(k, Raw(k))).ToList()));
        var getCalls = await CallsDuringAsync("GetManyAsync", () => Cache.GetManyAsync(keys));

        Assert.True(buckets.Count < keys.Count); // Some buckets hold several of the keys...
        Assert.Equal(buckets.Order(), setCalls.Order()); // ... and still each is called exactly once.
        Assert.Equal(buckets.Order(), getCalls.Order());
    }

    [Fact]
    public async Task SetMany_WritesNothing_WhenOneKeyIsInvalid()
    {
        var entries = new List<KeyValuePair<string, CacheValue>> { new("ops-batch-valid", Raw("x")), new(string.Empty, Raw("y")) };

        var error = await Assert.ThrowsAsync<CacheArgumentException>(() => Cache.SetManyAsync(entries).WaitAsync(Timeout));

        Assert.Equal(CacheArgumentError.InvalidKey, error.Error);
        Assert.Null(await Cache.GetAsync("ops-batch-valid").WaitAsync(Timeout));
    }

    [Fact]
    public async Task DeleteManyAndCountExisting_CountAsRedisDoes()
    {
        await Cache.SetManyAsync([KeyValuePair.Create("ops-del-a", Raw("a")), KeyValuePair.Create("ops-del-b", Raw("b"))]).WaitAsync(Timeout);

        long existing = await Cache.CountExistingAsync(["ops-del-a", "ops-del-a", "ops-del-b", "ops-del-none"]).WaitAsync(Timeout);
        long deleted = await Cache.DeleteManyAsync(["ops-del-a", "ops-del-a", "ops-del-b", "ops-del-none"]).WaitAsync(Timeout);

        Assert.Equal(3, existing); // A key named twice counts twice.
        Assert.Equal(2, deleted); // ... but is deleted once.
        Assert.False(await Cache.ExistsAsync("ops-del-a").WaitAsync(Timeout));
        Assert.False((await fixture.GetReplicaCopyAsync("ops-del-b")).Entries.ContainsKey("ops-del-b"));
    }

    [Fact]
    public async Task Stats_CountHitsMissesAndKeys_AcrossTheCluster()
    {
        var before = await Cache.GetStatsAsync().WaitAsync(Timeout);
        await Cache.SetAsync("ops-stats", "s"u8.ToArray()).WaitAsync(Timeout);
        await Cache.GetAsync("ops-stats").WaitAsync(Timeout);
        await Cache.GetAsync("ops-stats-missing").WaitAsync(Timeout);
        var after = await Cache.GetStatsAsync().WaitAsync(Timeout);

        Assert.Equal(CacheClusterFixture.SiloCount, after.Nodes.Count);
        Assert.Equal(before.Hits + 1, after.Hits);
        Assert.Equal(before.Misses + 1, after.Misses);
        Assert.Equal(before.Keys + 1, after.Keys);
        Assert.Equal(await Cache.CountKeysAsync().WaitAsync(Timeout), after.Keys);
        Assert.Equal(after.Keys, after.Nodes.Sum(n => n.ReplicaKeys)); // Every key has one replica.
        Assert.True(after.Bytes > before.Bytes);
    }

    // The keys of the buckets that received calls to method while action ran (no other test runs meanwhile).
    private async Task<List<long>> CallsDuringAsync(string method, Func<Task> action)
    {
        fixture.Calls.Clear();
        await action().WaitAsync(Timeout);
        return fixture.Calls.Where(c => c.Method == method).Select(c => c.Key).ToList();
    }

    private static CacheValue Raw(string text) => new(Encoding.UTF8.GetBytes(text), ValueFormat.Raw);

    private static string? Text(CacheEntry? entry) => entry is null ? null : Encoding.UTF8.GetString(entry.Value);
}
