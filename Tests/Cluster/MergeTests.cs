using System.Text;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Grains.Merging;
using OrleansCache.Grains.Storage;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Cluster;

/// <summary>
/// What a cluster that yields to another does with its data: entries carry the time of their last update,
/// a bucket merges another cluster's entries by policy and replicates them, a frozen node takes no client
/// writes, and a node's export replayed into another cluster lands there key by key. Merges on the shared
/// fixture (its fake clock decides what has expired); freezing and exporting on clusters of their own.
/// </summary>
[Collection(CacheClusterCollection.Name)]
public sealed class MergeTests(CacheClusterFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan ClusterTimeout = TimeSpan.FromSeconds(60);

    // Versions no bucket of these tests reaches: a merged entry must not keep it.
    private const long ForeignVersion = 9_999_999;

    private CacheClient Cache => fixture.Cache;

    [Fact]
    public async Task UpdatedAt_IsTheTimeOfTheLastWriteOfTheValueOrExpiry_OnPrimaryAndReplica()
    {
        var written = fixture.Time.GetUtcNow();
        await Cache.SetAsync("upd-plain", "v"u8.ToArray()).WaitAsync(Timeout);
        await Cache.SetAsync("upd-ttl", "v"u8.ToArray(), CacheExpiry.After(TimeSpan.FromHours(1))).WaitAsync(Timeout);
        await Cache.SetManyAsync([KeyValuePair.Create("upd-many", Raw("v"))]).WaitAsync(Timeout);
        await Cache.IncrementAsync("upd-counter").WaitAsync(Timeout);
        await Cache.SetAsync("upd-sliding", "v"u8.ToArray(), CacheExpiry.Sliding(TimeSpan.FromMinutes(1))).WaitAsync(Timeout);

        fixture.Time.Advance(TimeSpan.FromSeconds(10));
        var changed = fixture.Time.GetUtcNow();
        await Cache.ExpireAsync("upd-plain", TimeSpan.FromHours(1)).WaitAsync(Timeout);
        await Cache.PersistAsync("upd-ttl").WaitAsync(Timeout);
        await Cache.IncrementAsync("upd-counter").WaitAsync(Timeout);
        var slid = await Cache.GetAsync("upd-sliding").WaitAsync(Timeout); // A read moves the expiry, not UpdatedAt.

        Assert.Equal(changed + TimeSpan.FromMinutes(1), slid!.ExpiresAt);
        var expected = new Dictionary<string, DateTimeOffset>
        {
            ["upd-plain"] = changed,
            ["upd-ttl"] = changed,
            ["upd-many"] = written,
            ["upd-counter"] = changed,
            ["upd-sliding"] = written,
        };
        foreach (var (key, at) in expected)
        {
            var primary = (await Bucket(await Cache.GetBucketAsync(key)).GetSnapshotAsync().WaitAsync(Timeout)).Entries[key];
            var replica = (await fixture.GetReplicaCopyAsync(key)).Entries[key];
            Assert.True(at == primary.UpdatedAt, $"{key}: primary {primary.UpdatedAt:O}, expected {at:O}");
            Assert.Equal((primary.Version, primary.UpdatedAt, primary.ExpiresAt), (replica.Version, replica.UpdatedAt, replica.ExpiresAt));
        }
    }

    [Fact]
    public async Task MergePutIfAbsent_AddsWhatIsAbsent_AndKeepsEveryLiveEntry_OnPrimaryAndReplica()
    {
        var (bucket, keys) = KeysOfOneBucket("pia", 5, CacheOptions.DefaultBuckets);
        string live = keys[0], expiredHere = keys[1], absent = keys[2], expiredThere = keys[3], sliding = keys[4];
        await Cache.SetAsync(live, "here"u8.ToArray()).WaitAsync(Timeout);
        await Cache.SetAsync(expiredHere, "here"u8.ToArray(), CacheExpiry.After(TimeSpan.FromSeconds(1))).WaitAsync(Timeout);
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        var now = fixture.Time.GetUtcNow();
        var incoming = new[]
        {
            KeyValuePair.Create(live, Entry("there", now + TimeSpan.FromHours(1))), // Newer, and still kept.
            KeyValuePair.Create(expiredHere, Entry("there", now)),
            KeyValuePair.Create(absent, Entry("there", now - TimeSpan.FromMinutes(5)) with { ExpiresAt = now + TimeSpan.FromMinutes(10) }),
            KeyValuePair.Create(expiredThere, Entry("there", now) with { ExpiresAt = now }),
            KeyValuePair.Create(sliding, Entry("there", now) with
            {
                ExpiresAt = now + TimeSpan.FromMinutes(1),
                SlidingExpiration = TimeSpan.FromMinutes(1),
                AbsoluteExpiration = now + TimeSpan.FromHours(1),
            }),
        };

        var result = await Bucket(bucket).MergeAsync(incoming, MergePolicy.PutIfAbsent).WaitAsync(Timeout);

        Assert.Equal(new MergeResult(Added: 3, Replaced: 0, Kept: 1, Expired: 1, Refused: 0), result);
        foreach (var copy in await BothCopiesAsync(bucket))
        {
            Assert.Equal("here", Text(copy.Entries[live]));
            Assert.False(copy.Entries.ContainsKey(expiredThere));
            foreach (var (key, sent) in incoming.Where(pair => pair.Key != live && pair.Key != expiredThere))
            {
                var stored = copy.Entries[key];
                Assert.Equal("there", Text(stored));
                Assert.Equal(
                    (sent.ExpiresAt, sent.SlidingExpiration, sent.AbsoluteExpiration, sent.UpdatedAt),
                    (stored.ExpiresAt, stored.SlidingExpiration, stored.AbsoluteExpiration, stored.UpdatedAt));
                Assert.InRange(stored.Version, copy.Entries[live].Version + 1, copy.Sequence); // A version of this bucket.
            }
        }
    }

    [Fact]
    public async Task MergeLatestUpdate_ReplacesOnlyEntriesUpdatedEarlier_AndKeepsTheLiveOneOnATie()
    {
        var (bucket, keys) = KeysOfOneBucket("lu", 4, CacheOptions.DefaultBuckets);
        string older = keys[0], newer = keys[1], tie = keys[2], absent = keys[3];
        var here = fixture.Time.GetUtcNow();
        await Cache.SetManyAsync([KeyValuePair.Create(older, Raw("here")), KeyValuePair.Create(newer, Raw("here")), KeyValuePair.Create(tie, Raw("here"))]).WaitAsync(Timeout);
        var incoming = new[]
        {
            KeyValuePair.Create(older, Entry("there", here - TimeSpan.FromSeconds(1))),
            KeyValuePair.Create(newer, Entry("there", here + TimeSpan.FromSeconds(1)) with { ExpiresAt = here + TimeSpan.FromHours(1) }),
            KeyValuePair.Create(tie, Entry("there", here)),
            KeyValuePair.Create(absent, Entry("there", here - TimeSpan.FromDays(1))),
        };

        var result = await Bucket(bucket).MergeAsync(incoming, MergePolicy.LatestUpdate).WaitAsync(Timeout);

        Assert.Equal(new MergeResult(Added: 1, Replaced: 1, Kept: 2, Expired: 0, Refused: 0), result);
        foreach (var copy in await BothCopiesAsync(bucket))
        {
            Assert.Equal(["here", "there", "here", "there"], keys.Select(k => Text(copy.Entries[k])));
            Assert.Equal(here + TimeSpan.FromHours(1), copy.Entries[newer].ExpiresAt);
            Assert.Equal(here + TimeSpan.FromSeconds(1), copy.Entries[newer].UpdatedAt);
        }
    }

    [Fact]
    public async Task Merge_ChangesNothing_WhenTheSameEntriesAreMergedAgain()
    {
        var (bucket, keys) = KeysOfOneBucket("again", 3, CacheOptions.DefaultBuckets);
        var now = fixture.Time.GetUtcNow();
        var incoming = keys.Select(k => KeyValuePair.Create(k, Entry("there", now))).ToArray();
        await Bucket(bucket).MergeAsync(incoming, MergePolicy.LatestUpdate).WaitAsync(Timeout);
        long sequence = await Bucket(bucket).GetSequenceAsync().WaitAsync(Timeout);

        var again = await Bucket(bucket).MergeAsync(incoming, MergePolicy.LatestUpdate).WaitAsync(Timeout);

        Assert.Equal(new MergeResult(Added: 0, Replaced: 0, Kept: 3, Expired: 0, Refused: 0), again);
        Assert.Equal(sequence, await Bucket(bucket).GetSequenceAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task Merge_IsRefusedWhole_WhenAKeyBelongsToAnotherBucket()
    {
        var (bucket, keys) = KeysOfOneBucket("misrouted", 1, CacheOptions.DefaultBuckets);
        string stranger = Enumerable.Range(0, 1000).Select(i => $"misrouted-other-{i}").First(k => KeyHasher.GetBucket(k, CacheOptions.DefaultBuckets) != bucket);
        var now = fixture.Time.GetUtcNow();

        var error = await Assert.ThrowsAsync<CacheArgumentException>(() =>
            Bucket(bucket).MergeAsync([KeyValuePair.Create(keys[0], Entry("there", now)), KeyValuePair.Create(stranger, Entry("there", now))], MergePolicy.PutIfAbsent)
                .WaitAsync(Timeout));

        Assert.Contains("BUCKETS", error.Message);
        Assert.Null(await Cache.GetAsync(keys[0]).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Replay_MergesEveryOtherBatch_ThenThrows_WhenABatchIsRefused()
    {
        var (bucket, keys) = KeysOfOneBucket("replay-ok", 1, CacheOptions.DefaultBuckets);
        var (_, misrouted) = KeysOfOneBucket("replay-misrouted", 1, CacheOptions.DefaultBuckets);
        int wrongBucket = (KeyHasher.GetBucket(misrouted[0], CacheOptions.DefaultBuckets) + 1) % CacheOptions.DefaultBuckets;
        var now = fixture.Time.GetUtcNow();
        var export = new[]
        {
            new BucketExport(wrongBucket, IsReplica: false, new BucketSnapshot(1, new Dictionary<string, CacheEntry> { [misrouted[0]] = Entry("there", now) })),
            new BucketExport(bucket, IsReplica: false, new BucketSnapshot(1, new Dictionary<string, CacheEntry> { [keys[0]] = Entry("there", now) })),
        };
        var replayer = fixture.GetSiloService<MergeReplayer>(fixture.SiloNames[0]);

        var error = await Assert.ThrowsAsync<OrleansException>(() => replayer.ReplayAsync(export, MergePolicy.PutIfAbsent, CancellationToken.None).WaitAsync(Timeout));

        Assert.StartsWith("1 of 2 exported entries could not be merged", error.Message);
        Assert.IsType<CacheArgumentException>(error.InnerException);
        Assert.Equal("there", Text(await Cache.GetAsync(keys[0]).WaitAsync(Timeout)));
        Assert.Null(await Cache.GetAsync(misrouted[0]).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Merge_CountsWhatDoesNotFitAsRefused_WhenTheNodeIsFullUnderNoEviction()
    {
        await using var cluster = await ChangingCluster.StartAsync(silos: 1, copies: 1, configure: o =>
        {
            o.MaxMemoryBytes = CacheOptions.MinMaxMemoryBytes;
            o.EvictionPolicy = EvictionPolicy.NoEviction;
        });
        var (bucket, keys) = KeysOfOneBucket("full", 8, cluster.Options.Buckets);
        var now = DateTimeOffset.UtcNow;
        var incoming = keys.Select(k => KeyValuePair.Create(k, new CacheEntry(new byte[256 * 1024], ValueFormat.Raw, ForeignVersion) { UpdatedAt = now })).ToArray();

        var result = await cluster.Cluster.Client.GetGrain<IBucketGrain>(bucket).MergeAsync(incoming, MergePolicy.PutIfAbsent).WaitAsync(ClusterTimeout);

        // 1 MiB holds three entries of 256 KiB and ~180 bytes of key and bookkeeping, not four.
        Assert.Equal(new MergeResult(Added: 3, Replaced: 0, Kept: 0, Expired: 0, Refused: 5), result);
        Assert.Equal(3, await cluster.Cache.CountExistingAsync(keys).WaitAsync(ClusterTimeout));
        Assert.True(ChangingCluster.Service<NodeMemory>(cluster.Silos[0]).Bytes <= CacheOptions.MinMaxMemoryBytes);
    }

    [Fact]
    public async Task FrozenNode_RefusesEveryClientWriteToItsBuckets_ChangingNothing_AndStillServesReads()
    {
        await using var cluster = await StartPlacedAsync(silos: 2);
        var frozen = cluster.Silos[0];
        var keys = await KeysWithPrimaryOnAsync(cluster, frozen, "fence", 2);
        string key = keys[0], counter = keys[1];
        string open = (await KeysWithPrimaryOnAsync(cluster, cluster.Silos[1], "open", 1))[0];
        var cache = cluster.Cache;
        await cache.SetAsync(key, "before"u8.ToArray(), CacheExpiry.After(TimeSpan.FromHours(1))).WaitAsync(ClusterTimeout);
        await cache.SetAsync(counter, "5"u8.ToArray()).WaitAsync(ClusterTimeout);
        var before = await SnapshotsAsync(cluster, keys);

        ChangingCluster.Service<NodeFence>(frozen).Freeze("merging into another cluster");

        var grain = cluster.Cluster.Client.GetGrain<IBucketGrain>(await cache.GetBucketAsync(key));
        var writes = new (string Name, Func<Task> Write)[]
        {
            ("set", () => cache.SetAsync(key, "after"u8.ToArray())),
            ("set with options", () => cache.SetAsync(key, Raw("after"), new SetOptions { Condition = SetCondition.IfPresent })),
            ("set many", () => cache.SetManyAsync([KeyValuePair.Create(key, Raw("after"))])),
            ("delete", () => cache.DeleteAsync(key)),
            ("delete many", () => cache.DeleteManyAsync([key])),
            ("increment", () => cache.IncrementAsync(counter)),
            ("expire", () => cache.ExpireAsync(key, TimeSpan.FromSeconds(5))),
            ("refresh", () => cache.RefreshAsync(key)),
            ("merge", () => grain.MergeAsync([KeyValuePair.Create(key, Entry("after", DateTimeOffset.MaxValue))], MergePolicy.LatestUpdate)),
        };
        foreach (var (name, write) in writes)
        {
            var error = await Assert.ThrowsAsync<NodeLeavingException>(() => write().WaitAsync(ClusterTimeout));
            Assert.True(error.Message.Contains("takes no writes", StringComparison.Ordinal), $"{name}: {error.Message}");
        }

        Assert.Equal("before", Text(await cache.GetAsync(key).WaitAsync(ClusterTimeout)));
        Assert.Equal(["before", "5"], (await cache.GetManyAsync(keys).WaitAsync(ClusterTimeout)).Select(Text));
        Assert.True((await cache.GetTimeToLiveAsync(key).WaitAsync(ClusterTimeout)).Exists);
        var after = await SnapshotsAsync(cluster, keys);
        for (int i = 0; i < keys.Count; i++)
        {
            var (was, now) = (before[i].Entries[keys[i]], after[i].Entries[keys[i]]);
            Assert.Equal(before[i].Sequence, after[i].Sequence);
            Assert.Equal((Text(was), was.Version, was.ExpiresAt, was.UpdatedAt), (Text(now), now.Version, now.ExpiresAt, now.UpdatedAt));
        }

        await cache.SetAsync(open, "written"u8.ToArray()).WaitAsync(ClusterTimeout); // The other node's buckets take writes.
    }

    [Fact]
    public async Task FrozenNode_HandsNothingOff_WhenItStops()
    {
        // One copy: what the stopping node does not hand off is gone, which is what a yielding node wants (its
        // entries are exported and go to the other cluster instead).
        await using var cluster = await StartPlacedAsync(silos: 2, copies: 1);
        var frozen = cluster.Silos[1];
        var leaving = await KeysWithPrimaryOnAsync(cluster, frozen, "yielding", 3);
        var staying = await KeysWithPrimaryOnAsync(cluster, cluster.Silos[0], "staying", 3);
        foreach (string key in leaving.Concat(staying))
        {
            await cluster.Cache.SetAsync(key, "v"u8.ToArray()).WaitAsync(ClusterTimeout);
        }

        ChangingCluster.Service<NodeFence>(frozen).Freeze("merging into another cluster");
        await cluster.Cluster.StopSiloAsync(frozen).WaitAsync(ClusterTimeout);
        await cluster.WaitForActiveSilosAsync(1, ClusterTimeout);

        Assert.Equal(0, await cluster.Cache.CountExistingAsync(leaving).WaitAsync(ClusterTimeout));
        Assert.Equal(3, await cluster.Cache.CountExistingAsync(staying).WaitAsync(ClusterTimeout));
    }

    [Theory]
    [InlineData(MergePolicy.PutIfAbsent)]
    [InlineData(MergePolicy.LatestUpdate)]
    public async Task ExportAndReplay_MergeEveryKeyOfOneClusterIntoAnother_AsThePolicySays(MergePolicy policy)
    {
        await using var loser = await StartPlacedAsync(silos: 3);
        await using var winner = await StartPlacedAsync(silos: 2);
        var onlyThere = Enumerable.Range(0, 100).Select(i => $"m-{i}").ToList();
        var olderHere = Enumerable.Range(100, 30).Select(i => $"m-{i}").ToList();
        var newerHere = Enumerable.Range(130, 30).Select(i => $"m-{i}").ToList();
        var all = onlyThere.Concat(olderHere).Concat(newerHere).ToList();

        // The winner's older writes, then every key on the losing cluster (a fifth with an expiry), then the
        // winner's newer writes: UpdatedAt follows the real clock.
        await SetAllAsync(winner.Cache, olderHere, k => "winner-old " + k);
        for (int i = 0; i < all.Count; i++)
        {
            var value = Encoding.UTF8.GetBytes("loser " + all[i]);
            await (i % 5 == 0 ? loser.Cache.SetAsync(all[i], value, CacheExpiry.After(TimeSpan.FromHours(1))) : loser.Cache.SetAsync(all[i], value)).WaitAsync(ClusterTimeout);
        }

        await SetAllAsync(winner.Cache, newerHere, k => "winner-new " + k);
        var exported = (await loser.Cache.GetManyAsync(all).WaitAsync(ClusterTimeout)).Select(e => e!).ToList();

        // Each node of the losing cluster freezes, exports what it holds, and replays it into the winner.
        var total = MergeResult.Empty;
        long exportedEntries = 0;
        var replayer = ChangingCluster.Service<MergeReplayer>(winner.Silos[0]);
        foreach (var silo in loser.Silos)
        {
            ChangingCluster.Service<NodeFence>(silo).Freeze("merging into another cluster");
            var export = await ChangingCluster.Service<LocalExporter>(silo).ExportAsync(CancellationToken.None).WaitAsync(ClusterTimeout);
            exportedEntries += export.Sum(copy => copy.Snapshot.Entries.Count);
            total += await replayer.ReplayAsync(export, policy, CancellationToken.None).WaitAsync(ClusterTimeout);
        }

        // Every key is held twice, by its primary's node and its replica's; the second arrival is always kept.
        int replaced = policy == MergePolicy.LatestUpdate ? olderHere.Count : 0;
        Assert.Equal(2 * all.Count, exportedEntries);
        Assert.Equal(new MergeResult(Added: onlyThere.Count, Replaced: replaced, Kept: (2 * all.Count) - onlyThere.Count - replaced, Expired: 0, Refused: 0), total);
        var merged = await winner.Cache.GetManyAsync(all).WaitAsync(ClusterTimeout);
        for (int i = 0; i < all.Count; i++)
        {
            string key = all[i];
            string expected = newerHere.Contains(key) ? "winner-new " + key
                : olderHere.Contains(key) && policy == MergePolicy.PutIfAbsent ? "winner-old " + key
                : "loser " + key;
            Assert.True(expected == Text(merged[i]), $"{key}: '{Text(merged[i])}', expected '{expected}'");
            if (expected.StartsWith("loser", StringComparison.Ordinal))
            {
                Assert.Equal((exported[i].ExpiresAt, exported[i].UpdatedAt), (merged[i]!.ExpiresAt, merged[i]!.UpdatedAt));
            }
        }
    }

    // A cluster whose every bucket is active exactly where the map says, so each node holds what the test expects.
    private static async Task<ChangingCluster> StartPlacedAsync(int silos, int copies = 2)
    {
        var cluster = await ChangingCluster.StartAsync(silos, copies: copies);
        try
        {
            await cluster.WaitForActiveSilosAsync(silos, ClusterTimeout);
            await cluster.TouchEveryBucketAsync().WaitAsync(ClusterTimeout);
            await cluster.WaitUntilPlacedAsMappedAsync(ClusterTimeout);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private static async Task<IReadOnlyList<string>> KeysWithPrimaryOnAsync(ChangingCluster cluster, Orleans.TestingHost.InProcessSiloHandle silo, string prefix, int count)
    {
        var keys = new List<string>();
        for (int i = 0; keys.Count < count; i++)
        {
            string key = $"{prefix}-{i}";
            if (cluster.SiloHoldingPrimary(await cluster.Cache.GetBucketAsync(key)).Name == silo.Name)
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    private static async Task<List<BucketSnapshot>> SnapshotsAsync(ChangingCluster cluster, IReadOnlyList<string> keys)
    {
        var snapshots = new List<BucketSnapshot>();
        foreach (string key in keys)
        {
            snapshots.Add(await cluster.Cluster.Client.GetGrain<IBucketGrain>(await cluster.Cache.GetBucketAsync(key)).GetSnapshotAsync().WaitAsync(ClusterTimeout));
        }

        return snapshots;
    }

    private static async Task SetAllAsync(CacheClient cache, IEnumerable<string> keys, Func<string, string> value)
    {
        foreach (string key in keys)
        {
            await cache.SetAsync(key, Encoding.UTF8.GetBytes(value(key))).WaitAsync(ClusterTimeout);
        }
    }

    // The primary's copy and its first replica's, each checked to be complete and at the same sequence.
    private async Task<BucketSnapshot[]> BothCopiesAsync(int bucket)
    {
        var primary = await Bucket(bucket).GetSnapshotAsync().WaitAsync(Timeout);
        var replica = await fixture.Cluster.Client.GetGrain<IReplicaGrain>(ReplicaKey.Create(bucket, 1)).GetSnapshotAsync().WaitAsync(Timeout);
        Assert.NotNull(replica);
        Assert.Equal(primary.Sequence, replica.Sequence);
        return [primary, replica];
    }

    private IBucketGrain Bucket(int bucket) => fixture.Cluster.Client.GetGrain<IBucketGrain>(bucket);

    // Keys of one bucket, named for the test so no other test touches them.
    private static (int Bucket, IReadOnlyList<string> Keys) KeysOfOneBucket(string prefix, int count, int buckets)
    {
        int bucket = KeyHasher.GetBucket($"merge-{prefix}-0", buckets);
        var keys = Enumerable.Range(0, 100_000).Select(i => $"merge-{prefix}-{i}").Where(k => KeyHasher.GetBucket(k, buckets) == bucket).Take(count).ToList();
        return (bucket, keys);
    }

    private static CacheEntry Entry(string text, DateTimeOffset updatedAt) =>
        new(Encoding.UTF8.GetBytes(text), ValueFormat.Raw, ForeignVersion) { UpdatedAt = updatedAt };

    private static CacheValue Raw(string text) => new(Encoding.UTF8.GetBytes(text), ValueFormat.Raw);

    private static string? Text(CacheEntry? entry) => entry is null ? null : Encoding.UTF8.GetString(entry.Value);
}
