using Microsoft.Extensions.Time.Testing;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Storage;

namespace OrleansCache.Tests.Unit;

public sealed class BucketStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly NodeMemory _memory = new(CacheOptions.MinMaxMemoryBytes, EvictionPolicy.Lru);

    [Fact]
    public void Accounting_FollowsEveryWrite_AndReturnsToZeroOnRelease()
    {
        var primary = new BucketStore(_memory, _time, replica: false);
        var replica = new BucketStore(_memory, _time, replica: true);

        replica.TryApply(primary.Write("a", Value(100)));
        replica.TryApply(primary.Write("b", Value(10)));
        replica.TryApply(primary.Write("a", Value(50)));
        replica.TryApply(primary.Write("b", value: null));

        long one = BucketStore.EntrySize("a", 50);
        Assert.Equal((2 * one, 1L, 1L), (_memory.Bytes, _memory.PrimaryKeys, _memory.ReplicaKeys));
        replica.Reset(primary.ToSnapshot());
        Assert.Equal(2 * one, _memory.Bytes);

        primary.Release();
        replica.Release();
        Assert.Equal((0L, 0L, 0L), (_memory.Bytes, _memory.PrimaryKeys, _memory.ReplicaKeys));
    }

    [Fact]
    public void RollBack_RestoresWhatUncommittedWritesReplaced_AndLeavesAGapForReplicasThatTookThem()
    {
        var primary = new BucketStore(_memory, _time, replica: false);
        var replica = new BucketStore(_memory, _time, replica: true);
        replica.TryApply(primary.Write("kept", Value(10)));
        replica.TryApply(primary.Write("changed", Value(20)));
        primary.Commit();
        long bytes = primary.Bytes;

        replica.TryApply(primary.Write("changed", Value(30)));
        replica.TryApply(primary.Write("kept", value: null));
        primary.Write("added", Value(40));

        Assert.Equal(3, primary.RollBack());
        Assert.Equal(["changed", "kept"], primary.ToSnapshot().Entries.Keys.Order());
        Assert.Equal(20, primary.Get("changed")!.Value.Length);
        Assert.Equal(10, primary.Get("kept")!.Value.Length);
        Assert.Equal(bytes, primary.Bytes);
        Assert.Equal(primary.Bytes + replica.Bytes, _memory.Bytes);

        // The replica took two of the three writes: the primary's next write shows it a gap, so it gets a full copy.
        Assert.Equal(6, primary.Sequence);
        Assert.False(replica.TryApply(primary.Write("next", Value(1))));
    }

    [Fact]
    public void TryReadCommitted_AnswersFromCommittedStateOnly_AndLeavesExpiringEntriesToTheGrain()
    {
        var store = new BucketStore(_memory, _time, replica: false);
        store.Write("k", Value(1));
        Assert.False(store.TryReadCommitted("k", out _)); // Not yet on every copy.
        store.Commit();
        Assert.True(store.TryReadCommitted("k", out var entry));
        Assert.Single(entry!.Value);
        Assert.True(store.TryReadCommitted("absent", out var missing));
        Assert.Null(missing);

        store.Write("k", Value(2));
        Assert.False(store.TryReadCommitted("k", out _));
        Assert.False(store.TryReadCommitted("absent", out _)); // Any write under way sends reads to the grain.
        store.RollBack();
        Assert.True(store.TryReadCommitted("k", out entry));
        Assert.Single(entry!.Value);

        store.Write("expiring", Expiring(TimeSpan.FromSeconds(5), store));
        store.Write("sliding", new CacheEntry(new byte[3], ValueFormat.Raw, store.NextVersion) { SlidingExpiration = TimeSpan.FromSeconds(5) });
        store.Commit();
        Assert.True(store.TryReadCommitted("expiring", out entry));
        Assert.NotNull(entry);
        Assert.False(store.TryReadCommitted("sliding", out _)); // A read moves its expiry: a write only the grain makes.
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(store.TryReadCommitted("expiring", out _)); // Expired: the grain reclaims it.
    }

    [Fact]
    public async Task TryReadCommitted_NeverSeesAWriteThatWasTakenBack_WhileAnotherThreadWrites()
    {
        // One thread writes as a bucket grain does (overwrites and deletes of a few keys, new keys that grow the
        // table; a third of the calls taken back, each after a pause that stands for its replication), another
        // reads the few keys meanwhile: every value it reads must be one that was committed.
        const int Writes = 200_000;
        var store = new BucketStore(_memory, _time, replica: false);
        var committed = new bool[Writes];
        using var done = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            for (int i = 0; i < Writes; i++)
            {
                string key = i % 4 == 0 ? $"new{i}" : $"k{i % 8}";
                store.Write(key, i % 11 == 0 ? null : new CacheValue(BitConverter.GetBytes(i), ValueFormat.Raw));
                Thread.SpinWait(20);
                if (i % 3 == 0)
                {
                    store.RollBack();
                }
                else
                {
                    Volatile.Write(ref committed[i], true);
                    store.Commit();
                }
            }

            done.Cancel();
        });

        long answered = 0, found = 0;
        var reader = Task.Run(() =>
        {
            for (int n = 0; !done.IsCancellationRequested; n++)
            {
                if (store.TryReadCommitted($"k{n % 8}", out var entry))
                {
                    answered++;
                    if (entry is not null)
                    {
                        found++;
                        int written = BitConverter.ToInt32(entry.Value);
                        Assert.True(Volatile.Read(ref committed[written]), $"read write {written}, which was taken back");
                    }
                }
            }
        });

        await Task.WhenAll(writer, reader).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(found > 0, $"the reader got {answered} answers, {found} of them entries: the race was not exercised");
    }

    [Fact]
    public void Get_NeverReturnsAnExpiredEntry_NorDoesASnapshot()
    {
        var store = new BucketStore(_memory, _time, replica: false);
        store.Write("k", Expiring(TimeSpan.FromSeconds(5), store));

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Null(store.Get("k"));
        Assert.NotNull(store.Peek("k")); // Still held until reclaimed...
        Assert.Empty(store.ToSnapshot().Entries); // ... but never handed out.
    }

    [Fact]
    public void RemoveExpired_TakesOnlyDueEntries_AndIgnoresExpiriesThatWereReplaced()
    {
        var store = new BucketStore(_memory, _time, replica: false);
        store.Write("soon", Expiring(TimeSpan.FromSeconds(1), store));
        store.Write("later", Expiring(TimeSpan.FromSeconds(10), store));
        store.Write("cleared", Expiring(TimeSpan.FromSeconds(1), store));
        store.Write("cleared", Value(1));
        store.Write("never", Value(1));

        _time.Advance(TimeSpan.FromSeconds(2));
        var writes = new List<ReplicaWrite>();
        store.RemoveExpired(limit: 100, writes);

        Assert.Equal(["soon"], writes.Select(w => w.Key));
        Assert.All(writes, w => Assert.Null(w.Entry));
        Assert.Equal(["cleared", "later", "never"], store.ToSnapshot().Entries.Keys.Order());
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(8), store.NextExpiry);
    }

    [Fact]
    public void SampleLeastRecentlyUsed_FindsTheOldest_WhenSamplingEnough()
    {
        var store = new BucketStore(_memory, _time, replica: false);
        store.Write("old", Value(1));
        store.Write("newer", Value(1));
        store.Write("newest", Value(1));
        store.Touch("old");
        store.Touch("newest");

        Assert.Equal("newer", store.SampleLeastRecentlyUsed(samples: 200)?.Key);
    }

    private static CacheValue Value(int length) => new(new byte[length], ValueFormat.Raw);

    private static CacheEntry Expiring(TimeSpan after, BucketStore store) =>
        new CacheEntry(new byte[1], ValueFormat.Raw, store.NextVersion) { ExpiresAt = store.Now + after };
}
