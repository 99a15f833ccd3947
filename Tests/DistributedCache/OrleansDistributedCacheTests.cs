using System.Buffers;
using System.Net;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using OrleansCache.ClientLibrary;
using OrleansCache.ClientLibrary.Discovery;
using OrleansCache.ClientLibrary.DistributedCaching;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Tests.Infrastructure;
using OrleansCache.Tests.Processes;

namespace OrleansCache.Tests.DistributedCache;

/// <summary>
/// <c>AddOrleansCache</c>'s <see cref="IDistributedCache"/> against a real three-node cluster, as an application
/// uses it: values, expiry with Microsoft's semantics (seen through the entry's time to live, so most tests need no
/// waiting), removal, refresh and argument checks.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class OrleansDistributedCacheTests(DistributedCacheClusterFixture fixture) : IClassFixture<DistributedCacheClusterFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // Room for the clock between setting and reading an entry's time to live on a busy machine.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(20);

    private IDistributedCache Cache => fixture.App.DistributedCache;

    private CacheClient Client => fixture.App.Cache;

    [Fact]
    public async Task SetAsync_StoresTheBytesWithoutExpiry_WhenNoExpirationIsGiven()
    {
        byte[] value = [0, 1, 2, 255, 128];

        await Cache.SetAsync("dc:plain", value, new DistributedCacheEntryOptions()).WaitAsync(Timeout);

        Assert.Equal(value, await Cache.GetAsync("dc:plain").WaitAsync(Timeout));
        Assert.Equal(new KeyTimeToLive(true, null), await Client.GetTimeToLiveAsync("dc:plain").WaitAsync(Timeout));
    }

    [Fact]
    public async Task GetAsync_ReturnsNull_WhenKeyIsMissing()
    {
        Assert.Null(await Cache.GetAsync("dc:never-set").WaitAsync(Timeout));
    }

    [Fact]
    public async Task RemoveAsync_MakesTheKeyMissing_WhenKeyWasSet()
    {
        await Cache.SetStringAsync("dc:removed", "soon gone").WaitAsync(Timeout);

        await Cache.RemoveAsync("dc:removed").WaitAsync(Timeout);

        Assert.Null(await Cache.GetAsync("dc:removed").WaitAsync(Timeout));
        Assert.False(await Client.ExistsAsync("dc:removed").WaitAsync(Timeout));
    }

    [Fact]
    public async Task SetAsync_ExpiresTheEntryAfterTheRelativeTime_WhenAbsoluteExpirationRelativeToNowIsGiven()
    {
        var options = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(10) };

        await Cache.SetStringAsync("dc:relative", "v", options).WaitAsync(Timeout);

        AssertRemaining(TimeSpan.FromMinutes(10), await Client.GetTimeToLiveAsync("dc:relative").WaitAsync(Timeout));
    }

    [Fact]
    public async Task SetAsync_ExpiresTheEntryAtTheInstant_WhenAbsoluteExpirationIsGiven()
    {
        var options = new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow.AddMinutes(7) };

        await Cache.SetStringAsync("dc:absolute", "v", options).WaitAsync(Timeout);

        AssertRemaining(TimeSpan.FromMinutes(7), await Client.GetTimeToLiveAsync("dc:absolute").WaitAsync(Timeout));
    }

    [Theory]
    [InlineData(5, 10, 10)]
    [InlineData(10, 5, 5)]
    public async Task SetAsync_UsesTheRelativeTime_WhenAbsoluteAndRelativeExpirationAreBothGiven(int absoluteMinutes, int relativeMinutes, int expectedMinutes)
    {
        string key = $"dc:both:{absoluteMinutes}:{relativeMinutes}";
        var options = new DistributedCacheEntryOptions
        {
            AbsoluteExpiration = DateTimeOffset.UtcNow.AddMinutes(absoluteMinutes),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(relativeMinutes),
        };

        await Cache.SetStringAsync(key, "v", options).WaitAsync(Timeout);

        AssertRemaining(TimeSpan.FromMinutes(expectedMinutes), await Client.GetTimeToLiveAsync(key).WaitAsync(Timeout));
    }

    [Fact]
    public async Task SetAsync_CapsTheSlidingWindowByTheAbsoluteExpiration_WhenBothAreGiven()
    {
        var options = new DistributedCacheEntryOptions
        {
            SlidingExpiration = TimeSpan.FromHours(1),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(3),
        };

        await Cache.SetStringAsync("dc:capped", "v", options).WaitAsync(Timeout);
        await Cache.GetAsync("dc:capped").WaitAsync(Timeout);
        await Cache.RefreshAsync("dc:capped").WaitAsync(Timeout);

        // Neither the write, nor a read, nor a refresh takes it past the absolute limit.
        AssertRemaining(TimeSpan.FromMinutes(3), await Client.GetTimeToLiveAsync("dc:capped").WaitAsync(Timeout));
    }

    [Fact]
    public async Task GetAsync_MovesTheExpiryAWindowAhead_WhenEntryIsSliding()
    {
        var window = TimeSpan.FromHours(1);
        await Cache.SetAsync("dc:sliding-get", [7], new DistributedCacheEntryOptions { SlidingExpiration = window }).WaitAsync(Timeout);
        var before = await WaitUntilRemainingBelowAsync("dc:sliding-get", window - TimeSpan.FromSeconds(1));

        Assert.Equal([7], await Cache.GetAsync("dc:sliding-get").WaitAsync(Timeout));

        var after = (await Client.GetTimeToLiveAsync("dc:sliding-get").WaitAsync(Timeout)).Remaining;
        Assert.True(after > before, $"a read moved the expiry ahead: {before} left before it, {after} after");
        AssertRemaining(window, new KeyTimeToLive(true, after));
    }

    [Fact]
    public async Task RefreshAsync_MovesTheExpiryAWindowAhead_WhenEntryIsSliding()
    {
        var window = TimeSpan.FromHours(1);
        await Cache.SetAsync("dc:sliding-refresh", [8], new DistributedCacheEntryOptions { SlidingExpiration = window }).WaitAsync(Timeout);
        var before = await WaitUntilRemainingBelowAsync("dc:sliding-refresh", window - TimeSpan.FromSeconds(1));

        await Cache.RefreshAsync("dc:sliding-refresh").WaitAsync(Timeout);

        var after = (await Client.GetTimeToLiveAsync("dc:sliding-refresh").WaitAsync(Timeout)).Remaining;
        Assert.True(after > before, $"a refresh moved the expiry ahead: {before} left before it, {after} after");
        AssertRemaining(window, new KeyTimeToLive(true, after));
    }

    [Fact]
    public async Task RefreshAsync_LeavesTheExpiryAlone_WhenEntryIsNotSliding()
    {
        var options = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(2) };
        await Cache.SetStringAsync("dc:not-sliding", "v", options).WaitAsync(Timeout);

        await Cache.RefreshAsync("dc:not-sliding").WaitAsync(Timeout);
        await Cache.RefreshAsync("dc:refresh-missing").WaitAsync(Timeout);

        AssertRemaining(TimeSpan.FromMinutes(2), await Client.GetTimeToLiveAsync("dc:not-sliding").WaitAsync(Timeout));
        Assert.False(await Client.ExistsAsync("dc:refresh-missing").WaitAsync(Timeout));
    }

    // The one test that waits for real expiry: a relative time and a sliding window of a few seconds.
    [Fact]
    public async Task GetAsync_ReturnsNull_OnceTheExpiryHasPassed()
    {
        await Cache.SetStringAsync("dc:short", "v", new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(1) }).WaitAsync(Timeout);
        await Cache.SetStringAsync("dc:short-sliding", "v", new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(1) }).WaitAsync(Timeout);

        // Polled without reading (a read would slide the second): it is gone once the second has passed.
        await Poll.UntilAsync(
            async () => !await Client.ExistsAsync("dc:short") && !await Client.ExistsAsync("dc:short-sliding"),
            Timeout,
            "both short-lived entries to expire");
        Assert.Null(await Cache.GetAsync("dc:short").WaitAsync(Timeout));
        Assert.Null(await Cache.GetAsync("dc:short-sliding").WaitAsync(Timeout));
    }

    [Fact]
    public async Task SyncMethods_SetGetRefreshAndRemove_AsTheAsyncOnesDo()
    {
        var cache = Cache;

        await Task.Run(() =>
        {
            cache.Set("dc:sync", [1, 2, 3], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(5) });
            Assert.Equal([1, 2, 3], cache.Get("dc:sync"));
            cache.Refresh("dc:sync");
            cache.Remove("dc:sync");
            Assert.Null(cache.Get("dc:sync"));
        }).WaitAsync(Timeout);
    }

    [Fact]
    public async Task BufferMethods_WriteTheValueIntoTheBuffer_WhenKeyIsStored()
    {
        var cache = Assert.IsAssignableFrom<IBufferDistributedCache>(Cache);
        var value = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("through buffers"));

        await cache.SetAsync("dc:buffer", value, new DistributedCacheEntryOptions()).AsTask().WaitAsync(Timeout);
        var found = new ArrayBufferWriter<byte>();
        var missing = new ArrayBufferWriter<byte>();

        Assert.True(await cache.TryGetAsync("dc:buffer", found).AsTask().WaitAsync(Timeout));
        Assert.Equal("through buffers", Encoding.UTF8.GetString(found.WrittenSpan));
        Assert.False(await cache.TryGetAsync("dc:buffer-missing", missing).AsTask().WaitAsync(Timeout));
        Assert.Equal(0, missing.WrittenCount);
    }

    [Fact]
    public async Task Methods_ThrowArgumentNullException_WhenKeyValueOrOptionsIsNull()
    {
        var options = new DistributedCacheEntryOptions();

        await Assert.ThrowsAsync<ArgumentNullException>("key", () => Cache.GetAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>("key", () => Cache.SetAsync(null!, [1], options));
        await Assert.ThrowsAsync<ArgumentNullException>("key", () => Cache.RefreshAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>("key", () => Cache.RemoveAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>("value", () => Cache.SetAsync("dc:null", null!, options));
        await Assert.ThrowsAsync<ArgumentNullException>("options", () => Cache.SetAsync("dc:null", [1], null!));
        Assert.Throws<ArgumentNullException>("key", () => Cache.Get(null!));
        Assert.False(await Client.ExistsAsync("dc:null").WaitAsync(Timeout));
    }

    [Fact]
    public async Task SetAsync_ThrowsArgumentOutOfRange_WhenAbsoluteExpirationIsNotInTheFuture()
    {
        var past = new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow.AddSeconds(-1) };

        var refused = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Cache.SetAsync("dc:past", [1], past));

        Assert.Equal(nameof(DistributedCacheEntryOptions.AbsoluteExpiration), refused.ParamName);
        Assert.False(await Client.ExistsAsync("dc:past").WaitAsync(Timeout));
    }

    [Fact]
    public async Task SetAsync_ThrowsArgumentOutOfRange_WhenExpirationIsOverOneHundredYears()
    {
        var tooLong = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromDays(36526) };

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Cache.SetAsync("dc:too-long", [1], tooLong));

        Assert.False(await Client.ExistsAsync("dc:too-long").WaitAsync(Timeout));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public async Task Methods_ThrowArgumentException_WhenKeyIsNotAValidCacheKey(string? key)
    {
        // Null stands for a key one byte over the 1024-byte limit.
        key ??= new string('k', CacheKeys.MaxKeyBytes + 1);

        await Assert.ThrowsAsync<ArgumentException>("key", () => Cache.GetAsync(key));
        await Assert.ThrowsAsync<ArgumentException>("key", () => Cache.SetAsync(key, [1], new DistributedCacheEntryOptions()));
        await Assert.ThrowsAsync<ArgumentException>("key", () => Cache.RemoveAsync(key));
    }

    [Fact]
    public async Task SetAsync_ThrowsCacheArgumentException_WhenValueIsOverMaxValueBytes()
    {
        var refused = await Assert.ThrowsAsync<CacheArgumentException>(
            () => Cache.SetAsync("dc:huge", new byte[1024 * 1024 + 1], new DistributedCacheEntryOptions()).WaitAsync(Timeout));

        Assert.Equal(CacheArgumentError.ValueTooLarge, refused.Error);
        Assert.False(await Client.ExistsAsync("dc:huge").WaitAsync(Timeout));
    }

    [Fact]
    public async Task Methods_ThrowOperationCanceled_AndChangeNothing_WhenTokenIsAlreadyCancelled()
    {
        await Cache.SetStringAsync("dc:cancelled", "kept").WaitAsync(Timeout);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Cache.GetAsync("dc:cancelled", cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Cache.SetAsync("dc:cancelled", [9], new DistributedCacheEntryOptions(), cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Cache.RefreshAsync("dc:cancelled", cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Cache.RemoveAsync("dc:cancelled", cancelled.Token));

        Assert.Equal("kept", await Cache.GetStringAsync("dc:cancelled").WaitAsync(Timeout));
    }

    [Fact]
    public async Task InstanceName_IsPutBeforeEveryKey_AndKeepsApplicationsApart()
    {
        await using var shop = await CacheApp.StartAsync(fixture.Seed.Ip, DistributedCacheClusterFixture.Timeout, options => options.InstanceName = "shop:");

        await shop.DistributedCache.SetStringAsync("dc:cart", "shop's").WaitAsync(Timeout);
        await Cache.SetStringAsync("dc:cart", "the other app's").WaitAsync(Timeout);

        Assert.Equal("shop's", await shop.DistributedCache.GetStringAsync("dc:cart").WaitAsync(Timeout));
        Assert.Equal("shop's", Encoding.UTF8.GetString((await Client.GetAsync("shop:dc:cart").WaitAsync(Timeout))!.Value));
        Assert.Equal("the other app's", await Cache.GetStringAsync("dc:cart").WaitAsync(Timeout));
    }

    [Fact]
    public async Task AddOrleansCacheWithoutOptions_UsesTheApplicationsOwnOrleansClient()
    {
        await using var app = await CacheApp.StartAsync(
            services =>
            {
                services.AddOrleansClient(client =>
                {
                    client.Configure<ClusterOptions>(cluster => cluster.ClusterId = cluster.ServiceId = "orleans-cache");
                    client.UseCacheClusterGateways(new IPEndPoint(IPAddress.Parse(fixture.Seed.Ip), 30000));
                });
                services.AddOrleansCache();
                services.Configure<OrleansCacheOptions>(options => options.InstanceName = "own-client:");
            },
            DistributedCacheClusterFixture.Timeout);

        await app.DistributedCache.SetStringAsync("dc:own", "through the app's client").WaitAsync(Timeout);

        Assert.Equal("through the app's client", Encoding.UTF8.GetString((await Client.GetAsync("own-client:dc:own").WaitAsync(Timeout))!.Value));
    }

    [Fact]
    public async Task HybridCacheGetOrCreateAsync_TakesTheValueFromTheCluster_InAnotherApplication()
    {
        int firstAppCalls = 0;
        int secondAppCalls = 0;
        await using var second = await CacheApp.StartAsync(fixture.Seed.Ip, DistributedCacheClusterFixture.Timeout);

        string first = await fixture.App.HybridCache.GetOrCreateAsync("dc:hybrid", async _ =>
        {
            Interlocked.Increment(ref firstAppCalls);
            await Task.Yield();
            return "computed once";
        }).AsTask().WaitAsync(Timeout);

        // HybridCache hands the value to its caller first and writes the cluster (L2) just after.
        await Poll.UntilAsync(() => Client.ExistsAsync("dc:hybrid"), Timeout, "HybridCache to write its entry to the cluster");
        string again = await second.HybridCache.GetOrCreateAsync("dc:hybrid", async _ =>
        {
            Interlocked.Increment(ref secondAppCalls);
            await Task.Yield();
            return "computed twice";
        }).AsTask().WaitAsync(Timeout);

        Assert.Equal("computed once", first);
        Assert.Equal("computed once", again);
        Assert.Equal(1, firstAppCalls);
        Assert.Equal(0, secondAppCalls);
    }

    private static void AssertRemaining(TimeSpan expected, KeyTimeToLive actual)
    {
        Assert.True(actual.Exists, "the entry is stored");
        Assert.NotNull(actual.Remaining);
        Assert.InRange(actual.Remaining.Value, expected - Slack, expected);
    }

    // Waits until the entry has visibly aged (real time must pass for a sliding expiry to move), returning what it has left.
    private async Task<TimeSpan> WaitUntilRemainingBelowAsync(string key, TimeSpan below)
    {
        TimeSpan? remaining = null;
        await Poll.UntilAsync(
            async () =>
            {
                remaining = (await Client.GetTimeToLiveAsync(key)).Remaining;
                return remaining < below;
            },
            Timeout,
            () => $"{key} to have less than {below} left; it has {remaining}");
        return remaining!.Value;
    }
}
