using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// Microsoft's own Redis <see cref="IDistributedCache"/> (<c>Microsoft.Extensions.Caching.StackExchangeRedis</c>),
/// unchanged, pointed at one real node's RESP port as a .NET team would point it at Redis.
/// </summary>
/// <remarks>
/// Expiry here runs on the node's real clock (the provider sets it with <c>EXPIRE</c>), so the tests that wait for
/// it use a few seconds and poll with a deadline.
/// </remarks>
[Collection(ProcessCollection.Name)]
public sealed class RedisCacheProviderTests(HttpNodeFixture fixture) : IClassFixture<HttpNodeFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private ServiceProvider _services = null!;

    private IDistributedCache Cache => _services.GetRequiredService<IDistributedCache>();

    public Task InitializeAsync()
    {
        _services = new ServiceCollection()
            .AddStackExchangeRedisCache(options =>
            {
                options.Configuration = $"{fixture.Node.RespEndpoint},connectTimeout=30000,syncTimeout=30000,asyncTimeout=30000";
                options.InstanceName = "provider:";
            })
            .BuildServiceProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task SetGetRemove_RoundTripTheBytes()
    {
        byte[] value = [0, 1, 2, 0xFF, (byte)'\r', (byte)'\n'];

        await Cache.SetAsync("plain", value, new DistributedCacheEntryOptions()).WaitAsync(Timeout);
        Assert.Equal(value, await Cache.GetAsync("plain").WaitAsync(Timeout));
        Assert.Equal(value, Cache.Get("plain"));

        await Cache.RemoveAsync("plain").WaitAsync(Timeout);
        Assert.Null(await Cache.GetAsync("plain").WaitAsync(Timeout));
        Assert.Null(await Cache.GetAsync("never set").WaitAsync(Timeout));
    }

    [Fact]
    public async Task StoredEntry_IsOneHashUnderThePrefixedKey_WithItsExpiry()
    {
        await Cache.SetStringAsync("shape", "value", new DistributedCacheEntryOptions
        {
            AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(10),
        }).WaitAsync(Timeout);

        await using var redis = await RespSocket.ConnectAsync(fixture.Node);
        await redis.SendAsync(RespSocket.Command("HGET", "provider:shape", "data"));
        Assert.Equal("value", await redis.ReadReplyAsync());
        await redis.SendAsync(RespSocket.Command("TTL", "provider:shape"));
        Assert.InRange(int.Parse((await redis.ReadReplyAsync())[1..]), 590, 600);
    }

    [Fact]
    public async Task AbsoluteExpiry_EndsTheEntry()
    {
        await Cache.SetStringAsync("absolute", "soon gone", new DistributedCacheEntryOptions
        {
            AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(2),
        }).WaitAsync(Timeout);
        Assert.Equal("soon gone", await Cache.GetStringAsync("absolute").WaitAsync(Timeout));

        await Poll.UntilAsync(async () => await Cache.GetStringAsync("absolute") is null, TimeSpan.FromSeconds(15), "the entry to expire");
    }

    [Fact]
    public async Task SlidingExpiry_IsKeptAliveByReadsAndRefresh_AndEndsWithoutThem()
    {
        var options = new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(3) };
        await Cache.SetStringAsync("sliding", "kept", options).WaitAsync(Timeout);

        // Twice the window, touched every half second by a read or a refresh: it must stay.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(6);
        for (int i = 0; DateTime.UtcNow < until; i++)
        {
            if (i % 2 == 0)
            {
                Assert.Equal("kept", await Cache.GetStringAsync("sliding").WaitAsync(Timeout));
            }
            else
            {
                await Cache.RefreshAsync("sliding").WaitAsync(Timeout);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        Assert.Equal("kept", await Cache.GetStringAsync("sliding").WaitAsync(Timeout));
        await using var redis = await RespSocket.ConnectAsync(fixture.Node);
        await Poll.UntilAsync(
            async () =>
            {
                await redis.SendAsync(RespSocket.Command("EXISTS", "provider:sliding"));
                return await redis.ReadReplyAsync() == ":0";
            },
            TimeSpan.FromSeconds(15),
            "the untouched sliding entry to expire");
    }

    [Fact]
    public async Task SlidingWithAbsoluteLimit_EndsAtTheLimit_EvenWhenRead()
    {
        await Cache.SetStringAsync("capped", "capped", new DistributedCacheEntryOptions
        {
            SlidingExpiration = TimeSpan.FromSeconds(60),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(3),
        }).WaitAsync(Timeout);

        await Poll.UntilAsync(async () => await Cache.GetStringAsync("capped") is null, TimeSpan.FromSeconds(15), "the capped entry to expire");
    }

    [Fact]
    public async Task ManyConcurrentCallers_ReadTheirOwnEntries()
    {
        var callers = Enumerable.Range(0, 16).Select(caller => Task.Run(async () =>
        {
            for (int i = 0; i < 20; i++)
            {
                string key = $"caller {caller} entry {i % 3}";
                byte[] value = Encoding.UTF8.GetBytes($"{caller}:{i}");
                await Cache.SetAsync(key, value, new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(5) });
                Assert.Equal(value, await Cache.GetAsync(key));
            }
        }));

        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(120));
    }

    [Fact]
    public async Task HybridCacheOverTheProvider_GetOrCreate_TakesTheValueFromTheNode_InAnotherApplication()
    {
        await using var first = HybridApplication();
        await using var second = HybridApplication();
        int computed = 0;

        string value = await first.GetRequiredService<HybridCache>().GetOrCreateAsync("hybrid over redis", _ =>
        {
            Interlocked.Increment(ref computed);
            return ValueTask.FromResult("computed once");
        }).AsTask().WaitAsync(Timeout);

        // HybridCache hands the value to its caller first and writes its distributed layer just after.
        await using var redis = await RespSocket.ConnectAsync(fixture.Node);
        await Poll.UntilAsync(async () => await redis.AskAsync("EXISTS", "provider:hybrid over redis") == ":1", Timeout, "HybridCache to write the node");
        string again = await second.GetRequiredService<HybridCache>().GetOrCreateAsync("hybrid over redis", _ =>
        {
            Interlocked.Increment(ref computed);
            return ValueTask.FromResult("computed twice");
        }).AsTask().WaitAsync(Timeout);

        Assert.Equal("computed once", value);
        Assert.Equal("computed once", again);
        Assert.Equal(1, computed);
    }

    // An application of its own (its own HybridCache memory), keeping its L2 on the node through the provider.
    private ServiceProvider HybridApplication()
    {
        var services = new ServiceCollection()
            .AddStackExchangeRedisCache(options =>
            {
                options.Configuration = $"{fixture.Node.RespEndpoint},connectTimeout=30000,syncTimeout=30000,asyncTimeout=30000";
                options.InstanceName = "provider:";
            });
        services.AddHybridCache();
        return services.BuildServiceProvider();
    }
}
