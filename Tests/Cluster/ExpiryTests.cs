using System.Text;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Cluster;

/// <summary>
/// Expiry through the facade, on the fixture's fake clock: an expired key is never returned, its memory
/// comes back on access and by the sweep, replicas hold the same absolute expiry and lose the entry
/// with the primary, and sliding entries live while they are read.
/// </summary>
[Collection(CacheClusterCollection.Name)]
public sealed class ExpiryTests(CacheClusterFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private CacheClient Cache => fixture.Cache;

    [Fact]
    public async Task Get_ReturnsTheValueUntilItsTimeToLivePasses_ThenNeverAgain()
    {
        await Cache.SetAsync("exp-ttl", "v"u8.ToArray(), CacheExpiry.After(TimeSpan.FromSeconds(10))).WaitAsync(Timeout);

        fixture.Time.Advance(TimeSpan.FromSeconds(9.999));
        var before = await Cache.GetAsync("exp-ttl").WaitAsync(Timeout);
        fixture.Time.Advance(TimeSpan.FromMilliseconds(1));
        var at = await Cache.GetAsync("exp-ttl").WaitAsync(Timeout);

        Assert.NotNull(before);
        Assert.Null(at);
        Assert.False(await Cache.ExistsAsync("exp-ttl").WaitAsync(Timeout));
        Assert.Null((await Cache.GetManyAsync(["exp-ttl"]).WaitAsync(Timeout))[0]);
    }

    [Fact]
    public async Task Replica_HoldsTheSameAbsoluteExpiry_AndLosesTheEntryWhenItExpires()
    {
        await Cache.SetAsync("exp-replica", "v"u8.ToArray(), CacheExpiry.After(TimeSpan.FromMinutes(5))).WaitAsync(Timeout);
        var expected = fixture.Time.GetUtcNow() + TimeSpan.FromMinutes(5);
        var replicaEntry = (await fixture.GetReplicaCopyAsync("exp-replica")).Entries["exp-replica"];
        var before = await Cache.GetStatsAsync().WaitAsync(Timeout);

        // Reclaimed by this read, or by a sweep the advance set off just before it: either way, once.
        fixture.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(await Cache.GetAsync("exp-replica").WaitAsync(Timeout));
        var after = await Cache.GetStatsAsync().WaitAsync(Timeout);

        Assert.Equal(expected, replicaEntry.ExpiresAt);
        Assert.False((await fixture.GetReplicaCopyAsync("exp-replica")).Entries.ContainsKey("exp-replica"));
        Assert.Equal(before.Keys - 1, after.Keys);
        Assert.Equal(before.Expirations + 1, after.Expirations);
    }

    [Fact]
    public async Task Sweep_ReclaimsExpiredKeysThatNobodyReads_OnPrimaryAndReplica()
    {
        var keys = Enumerable.Range(0, 30).Select(i => $"exp-sweep-{i}").ToList();
        await Cache.SetManyAsync(keys.Select(k => KeyValuePair.Create(k, Raw("v"))).ToList(), CacheExpiry.After(TimeSpan.FromSeconds(30))).WaitAsync(Timeout);
        var before = await Cache.GetStatsAsync().WaitAsync(Timeout);

        // Past the expiry; then one sweep interval (1 s) per poll: each silo's sweep waits on the fake clock,
        // and one may still be finishing an earlier round when the clock first moves.
        fixture.Time.Advance(TimeSpan.FromSeconds(31));
        await Poll.UntilAsync(
            async () =>
            {
                fixture.Time.Advance(TimeSpan.FromSeconds(1));
                return (await Cache.GetStatsAsync()).Expirations >= before.Expirations + keys.Count;
            },
            Timeout,
            "the sweep to reclaim the 30 expired keys");

        var after = await Cache.GetStatsAsync().WaitAsync(Timeout);
        Assert.Equal(before.Keys - keys.Count, after.Keys);
        Assert.Equal(before.Misses, after.Misses); // Reclaimed without anyone reading them.
        Assert.False((await fixture.GetReplicaCopyAsync("exp-sweep-3")).Entries.ContainsKey("exp-sweep-3"));
    }

    [Fact]
    public async Task SetWithoutExpiry_ClearsAnEarlierExpiry_UnlessAskedToKeepIt()
    {
        await Cache.SetAsync("exp-clear", "a"u8.ToArray(), CacheExpiry.After(TimeSpan.FromSeconds(5))).WaitAsync(Timeout);
        await Cache.SetAsync("exp-keep", "a"u8.ToArray(), CacheExpiry.After(TimeSpan.FromSeconds(5))).WaitAsync(Timeout);

        await Cache.SetAsync("exp-clear", "b"u8.ToArray()).WaitAsync(Timeout);
        await Cache.SetAsync("exp-keep", Raw("b"), new SetOptions { KeepTimeToLive = true }).WaitAsync(Timeout);
        fixture.Time.Advance(TimeSpan.FromSeconds(6));

        Assert.NotNull(await Cache.GetAsync("exp-clear").WaitAsync(Timeout));
        Assert.Null(await Cache.GetAsync("exp-keep").WaitAsync(Timeout));
    }

    [Fact]
    public async Task ExpirePersistAndTimeToLive_BehaveAsRedis()
    {
        await Cache.SetAsync("exp-cmds", "v"u8.ToArray()).WaitAsync(Timeout);

        var none = await Cache.GetTimeToLiveAsync("exp-cmds").WaitAsync(Timeout);
        var missing = await Cache.GetTimeToLiveAsync("exp-cmds-missing").WaitAsync(Timeout);
        bool expiredMissing = await Cache.ExpireAsync("exp-cmds-missing", TimeSpan.FromSeconds(5)).WaitAsync(Timeout);
        bool expired = await Cache.ExpireAsync("exp-cmds", TimeSpan.FromSeconds(100)).WaitAsync(Timeout);
        fixture.Time.Advance(TimeSpan.FromSeconds(40));
        var left = await Cache.GetTimeToLiveAsync("exp-cmds").WaitAsync(Timeout);
        bool persisted = await Cache.PersistAsync("exp-cmds").WaitAsync(Timeout);
        bool persistedAgain = await Cache.PersistAsync("exp-cmds").WaitAsync(Timeout);
        fixture.Time.Advance(TimeSpan.FromSeconds(100));

        Assert.Equal(new KeyTimeToLive(true, null), none);
        Assert.Equal(KeyTimeToLive.Missing, missing);
        Assert.False(expiredMissing);
        Assert.True(expired);
        Assert.Equal(TimeSpan.FromSeconds(60), left.Remaining);
        Assert.True(persisted);
        Assert.False(persistedAgain);
        Assert.NotNull(await Cache.GetAsync("exp-cmds").WaitAsync(Timeout));
    }

    [Fact]
    public async Task Expire_WithZeroOrLess_DeletesTheKey()
    {
        await Cache.SetAsync("exp-zero", "v"u8.ToArray()).WaitAsync(Timeout);

        Assert.True(await Cache.ExpireAsync("exp-zero", TimeSpan.Zero).WaitAsync(Timeout));
        Assert.False(await Cache.ExistsAsync("exp-zero").WaitAsync(Timeout));
        Assert.False((await fixture.GetReplicaCopyAsync("exp-zero")).Entries.ContainsKey("exp-zero"));
    }

    [Fact]
    public async Task Increment_KeepsTheCountersExpiry()
    {
        await Cache.SetAsync("exp-counter", "1"u8.ToArray(), CacheExpiry.After(TimeSpan.FromSeconds(10))).WaitAsync(Timeout);

        await Cache.IncrementAsync("exp-counter").WaitAsync(Timeout);
        fixture.Time.Advance(TimeSpan.FromSeconds(10));

        Assert.Null(await Cache.GetAsync("exp-counter").WaitAsync(Timeout));
        Assert.Equal(1, await Cache.IncrementAsync("exp-counter").WaitAsync(Timeout)); // Expired counts as missing: 0 + 1.
    }

    [Fact]
    public async Task SlidingEntry_LivesWhileRead_AndExpiresAWindowAfterTheLastRead()
    {
        await Cache.SetAsync("exp-sliding", "v"u8.ToArray(), CacheExpiry.Sliding(TimeSpan.FromSeconds(10))).WaitAsync(Timeout);

        for (int i = 0; i < 5; i++)
        {
            fixture.Time.Advance(TimeSpan.FromSeconds(8));
            Assert.NotNull(await Cache.GetAsync("exp-sliding").WaitAsync(Timeout));
        }

        fixture.Time.Advance(TimeSpan.FromSeconds(8));
        Assert.True(await Cache.RefreshAsync("exp-sliding").WaitAsync(Timeout));
        var replica = (await fixture.GetReplicaCopyAsync("exp-sliding")).Entries["exp-sliding"];
        fixture.Time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(fixture.Time.GetUtcNow(), replica.ExpiresAt); // The replica follows every refresh.
        Assert.Null(await Cache.GetAsync("exp-sliding").WaitAsync(Timeout));
    }

    [Fact]
    public async Task SlidingEntry_NeverOutlivesItsAbsoluteLimit()
    {
        var limit = fixture.Time.GetUtcNow() + TimeSpan.FromSeconds(15);
        await Cache.SetAsync("exp-capped", "v"u8.ToArray(), CacheExpiry.Sliding(TimeSpan.FromSeconds(10), limit)).WaitAsync(Timeout);

        fixture.Time.Advance(TimeSpan.FromSeconds(8));
        Assert.NotNull(await Cache.GetAsync("exp-capped").WaitAsync(Timeout));
        fixture.Time.Advance(TimeSpan.FromSeconds(7));

        Assert.Null(await Cache.GetAsync("exp-capped").WaitAsync(Timeout));
    }

    public static TheoryData<string, CacheExpiry> BadExpiries() => new()
    {
        { "zero", CacheExpiry.After(TimeSpan.Zero) },
        { "negative", CacheExpiry.After(TimeSpan.FromSeconds(-1)) },
        { "over 100 years", CacheExpiry.After(CacheExpiry.MaxTimeToLive + TimeSpan.FromSeconds(1)) },
        { "absurd", CacheExpiry.After(TimeSpan.MaxValue) },
        { "sliding zero", CacheExpiry.Sliding(TimeSpan.Zero) },
        { "both kinds", new CacheExpiry { TimeToLive = TimeSpan.FromSeconds(1), SlidingExpiration = TimeSpan.FromSeconds(1) } },
    };

    [Theory]
    [MemberData(nameof(BadExpiries))]
    public async Task Set_IsRefusedAndChangesNothing_WhenTheExpiryIsBad(string description, CacheExpiry expiry)
    {
        string key = "exp-bad " + description;
        await Cache.SetAsync(key, "before"u8.ToArray()).WaitAsync(Timeout);

        var error = await Assert.ThrowsAsync<CacheArgumentException>(() => Cache.SetAsync(key, "after"u8.ToArray(), expiry).WaitAsync(Timeout));

        Assert.Equal(CacheArgumentError.InvalidExpiry, error.Error);
        Assert.Equal("before"u8.ToArray(), (await Cache.GetAsync(key).WaitAsync(Timeout))!.Value);
    }

    private static CacheValue Raw(string text) => new(Encoding.UTF8.GetBytes(text), ValueFormat.Raw);
}
