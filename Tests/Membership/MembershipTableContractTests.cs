using System.Net;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Membership;

/// <summary>
/// What Orleans needs of an <see cref="IMembershipTable"/>, exercised the way its membership protocol uses a
/// table: every change of a row is a compare-and-swap on the table version (and the row etag) read in one
/// snapshot, heartbeats do not move the version, and readers see the version and the rows of one moment.
/// </summary>
/// <remarks>
/// Provider-agnostic: a subclass supplies <see cref="CreateTableAsync"/>. Each test works in cluster ids of
/// its own, so tests never see each other's rows and may run against a shared store.
/// </remarks>
public abstract class MembershipTableContractTests : IAsyncLifetime
{
    // Concurrent callers per race: enough to make lost updates likely if the store had them, small enough
    // for a 2-core CI machine.
    private const int Racers = 16;

    private static int _generation;

    private readonly List<BoundedMembershipTable> _clusters = [];

    /// <summary>
    /// A table serving <paramref name="clusterId"/>, as a silo of that cluster would get it; the tests call
    /// <see cref="IMembershipTable.InitializeMembershipTableAsync"/> themselves. May be called several times
    /// for one cluster id, as every silo has a table of its own.
    /// </summary>
    protected abstract Task<IMembershipTable> CreateTableAsync(string clusterId);

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        foreach (var table in _clusters)
        {
            await table.DeleteMembershipTableEntriesAsync(table.ClusterId);
        }
    }

    [CheckedFact]
    public async Task InitializeMembershipTable_StartsAnEmptyTable_AtVersionZero()
    {
        var table = await NewClusterAsync();

        var data = await table.ReadAllAsync();

        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
        Assert.NotNull(data.Version.VersionEtag);
    }

    [CheckedFact]
    public async Task InitializeMembershipTable_KeepsTheRowsAndVersion_WhenAnotherSiloStarts()
    {
        var first = await NewClusterAsync();
        var entry = NewEntry();
        Assert.True(await first.InsertRowAsync(entry, (await first.ReadAllAsync()).Version.Next()));

        var second = await OpenAsync(first.ClusterId);
        var data = await second.ReadAllAsync();

        AssertSameRow(entry, Assert.Single(data.Members).Item1);
        Assert.Equal(1, data.Version.Version);
    }

    [CheckedFact]
    public async Task InsertRow_AddsTheRow_AndMovesTheVersionOnByOne()
    {
        var table = await NewClusterAsync();
        var before = await table.ReadAllAsync();
        var entry = NewEntry();

        Assert.True(await table.InsertRowAsync(entry, before.Version.Next()));

        var after = await table.ReadAllAsync();
        var (row, etag) = Assert.Single(after.Members);
        AssertSameRow(entry, row);
        Assert.NotNull(etag);
        Assert.Equal(1, after.Version.Version);
        Assert.NotEqual(before.Version.VersionEtag, after.Version.VersionEtag);
    }

    [CheckedFact]
    public async Task InsertRow_Fails_WhenTheTableVersionIsStale()
    {
        var table = await NewClusterAsync();
        var stale = (await table.ReadAllAsync()).Version.Next();
        var first = NewEntry();
        Assert.True(await table.InsertRowAsync(first, stale));

        Assert.False(await table.InsertRowAsync(NewEntry(), stale));

        var data = await table.ReadAllAsync();
        AssertSameRow(first, Assert.Single(data.Members).Item1);
        Assert.Equal(1, data.Version.Version);
    }

    [CheckedFact]
    public async Task InsertRow_Fails_WhenTheSiloIsInTheTableAlready()
    {
        var table = await NewClusterAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));

        var again = Copy(entry);
        again.Status = SiloStatus.Active;
        Assert.False(await table.InsertRowAsync(again, (await table.ReadAllAsync()).Version.Next()));

        var data = await table.ReadAllAsync();
        AssertSameRow(entry, Assert.Single(data.Members).Item1);
        Assert.Equal(1, data.Version.Version);
    }

    [CheckedFact]
    public async Task UpdateRow_ReplacesTheRow_AndMovesTheVersionOnByOne()
    {
        var table = await NewClusterAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        var snapshot = await table.ReadAllAsync();

        var changed = Copy(entry);
        changed.Status = SiloStatus.Active;
        changed.IAmAliveTime = entry.IAmAliveTime.AddSeconds(7);
        changed.SuspectTimes = [Tuple.Create(NewEntry().SiloAddress, entry.IAmAliveTime.AddSeconds(3))];
        Assert.True(await table.UpdateRowAsync(changed, EtagOf(snapshot, entry), snapshot.Version.Next()));

        var data = await table.ReadAllAsync();
        AssertSameRow(changed, Assert.Single(data.Members).Item1);
        Assert.Equal(2, data.Version.Version);
    }

    [CheckedFact]
    public async Task UpdateRow_Fails_WhenTheTableVersionIsStale()
    {
        var table = await NewClusterAsync();
        var empty = await table.ReadAllAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, empty.Version.Next()));
        var current = await table.ReadAllAsync();

        // The row's current etag, but the version from before the insert.
        Assert.False(await table.UpdateRowAsync(WithStatus(entry, SiloStatus.Active), EtagOf(current, entry), empty.Version.Next()));

        var data = await table.ReadAllAsync();
        AssertSameRow(entry, Assert.Single(data.Members).Item1);
        Assert.Equal(1, data.Version.Version);
    }

    [CheckedFact]
    public async Task UpdateRow_Fails_WhenItsSnapshotIsStale()
    {
        var table = await NewClusterAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        var snapshot = await table.ReadAllAsync();
        var active = WithStatus(entry, SiloStatus.Active);
        Assert.True(await table.UpdateRowAsync(active, EtagOf(snapshot, entry), snapshot.Version.Next()));

        // A second silo acting on the same, now stale, read: its etag and version are both outdated.
        Assert.False(await table.UpdateRowAsync(WithStatus(entry, SiloStatus.Dead), EtagOf(snapshot, entry), snapshot.Version.Next()));

        var data = await table.ReadAllAsync();
        AssertSameRow(active, Assert.Single(data.Members).Item1);
        Assert.Equal(2, data.Version.Version);
    }

    [CheckedFact]
    public async Task UpdateRow_Fails_WhenTheRowEtagIsStale_EvenWithTheCurrentVersion()
    {
        var table = await NewClusterAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        var first = await table.ReadAllAsync();
        Assert.True(await table.UpdateRowAsync(WithStatus(entry, SiloStatus.Active), EtagOf(first, entry), first.Version.Next()));
        var second = await table.ReadAllAsync();

        Assert.False(await table.UpdateRowAsync(WithStatus(entry, SiloStatus.Dead), EtagOf(first, entry), second.Version.Next()));

        var data = await table.ReadAllAsync();
        Assert.Equal(SiloStatus.Active, Assert.Single(data.Members).Item1.Status);
        Assert.Equal(2, data.Version.Version);
    }

    [CheckedFact]
    public async Task UpdateRow_Fails_ForASiloNotInTheTable()
    {
        var table = await NewClusterAsync();
        Assert.True(await table.InsertRowAsync(NewEntry(), (await table.ReadAllAsync()).Version.Next()));
        var snapshot = await table.ReadAllAsync();

        Assert.False(await table.UpdateRowAsync(WithStatus(NewEntry(), SiloStatus.Active), "", snapshot.Version.Next()));

        var data = await table.ReadAllAsync();
        Assert.Single(data.Members);
        Assert.Equal(1, data.Version.Version);
    }

    [CheckedFact]
    public async Task ConcurrentInsertRows_WithTheSameVersion_HaveExactlyOneWinner()
    {
        var table = await NewClusterAsync();
        var tables = await OpenSilosAsync(table.ClusterId);
        var version = (await table.ReadAllAsync()).Version.Next();
        var entries = Enumerable.Range(0, Racers).Select(_ => NewEntry()).ToArray();

        bool[] results = await RaceAsync(Racers, i => tables[i % tables.Count].InsertRowAsync(entries[i], version));

        int winner = Assert.Single(Enumerable.Range(0, Racers), i => results[i]);
        var data = await table.ReadAllAsync();
        AssertSameRow(entries[winner], Assert.Single(data.Members).Item1);
        Assert.Equal(1, data.Version.Version);
    }

    [CheckedFact]
    public async Task ConcurrentUpdatesAndInserts_WithTheSameVersion_HaveExactlyOneWinner()
    {
        var table = await NewClusterAsync();
        var tables = await OpenSilosAsync(table.ClusterId);
        var existing = NewEntry();
        Assert.True(await table.InsertRowAsync(existing, (await table.ReadAllAsync()).Version.Next()));
        var snapshot = await table.ReadAllAsync();
        string etag = EtagOf(snapshot, existing);

        // Even racers update the existing row (each to a heartbeat of its own), odd racers insert a new silo.
        var updates = Enumerable.Range(0, Racers).Select(i =>
        {
            var update = WithStatus(existing, SiloStatus.Active);
            update.IAmAliveTime = existing.IAmAliveTime.AddSeconds(i + 1);
            return update;
        }).ToArray();
        var inserts = Enumerable.Range(0, Racers).Select(_ => NewEntry()).ToArray();
        bool[] results = await RaceAsync(Racers, i => i % 2 == 0
            ? tables[i % tables.Count].UpdateRowAsync(updates[i], etag, snapshot.Version.Next())
            : tables[i % tables.Count].InsertRowAsync(inserts[i], snapshot.Version.Next()));

        int winner = Assert.Single(Enumerable.Range(0, Racers), i => results[i]);
        var data = await table.ReadAllAsync();
        Assert.Equal(2, data.Version.Version);
        if (winner % 2 == 0)
        {
            AssertSameRow(updates[winner], Assert.Single(data.Members).Item1);
        }
        else
        {
            Assert.Equal(2, data.Members.Count);
            AssertSameRow(existing, RowOf(data, existing.SiloAddress));
            AssertSameRow(inserts[winner], RowOf(data, inserts[winner].SiloAddress));
        }
    }

    [CheckedFact]
    public async Task ConcurrentReadModifyWrites_RetriedOnConflict_LoseNoUpdate()
    {
        var table = await NewClusterAsync();
        var tables = await OpenSilosAsync(table.ClusterId);
        var suspect = NewEntry();
        Assert.True(await table.InsertRowAsync(suspect, (await table.ReadAllAsync()).Version.Next()));
        var voters = Enumerable.Range(0, Racers / 2).Select(_ => NewEntry().SiloAddress).ToArray();

        // As silos vote a suspect dead: read, add my vote to the votes read, write; on conflict, read again.
        bool[] voted = await RaceAsync(voters.Length, async i =>
        {
            var mine = tables[i % tables.Count];
            for (int attempt = 0; attempt < 200; attempt++)
            {
                var data = await mine.ReadAllAsync();
                var (row, etag) = data.Members.Single(m => m.Item1.SiloAddress.Equals(suspect.SiloAddress));
                var withVote = Copy(row);
                withVote.SuspectTimes = [.. row.SuspectTimes ?? [], Tuple.Create(voters[i], suspect.IAmAliveTime.AddSeconds(i))];
                if (await mine.UpdateRowAsync(withVote, etag, data.Version.Next()))
                {
                    return true;
                }
            }

            return false;
        });

        Assert.All(voted, Assert.True);
        var final = await table.ReadAllAsync();
        var votes = Assert.Single(final.Members).Item1.SuspectTimes;
        Assert.NotNull(votes);
        Assert.Equal(voters.OrderBy(v => v.ToParsableString()), votes.Select(v => v.Item1).OrderBy(v => v.ToParsableString()));
        Assert.Equal(1 + voters.Length, final.Version.Version);
    }

    [CheckedFact]
    public async Task UpdateIAmAlive_ChangesOnlyTheHeartbeat_AndNotTheVersion()
    {
        var table = await NewClusterAsync();
        var alive = WithStatus(NewEntry(), SiloStatus.Active);
        var other = NewEntry();
        Assert.True(await table.InsertRowAsync(alive, (await table.ReadAllAsync()).Version.Next()));
        Assert.True(await table.InsertRowAsync(other, (await table.ReadAllAsync()).Version.Next()));
        var before = await table.ReadAllAsync();

        // What Orleans passes: only the silo address and the new time.
        var heartbeat = new MembershipEntry { SiloAddress = alive.SiloAddress, IAmAliveTime = alive.IAmAliveTime.AddSeconds(30) };
        await table.UpdateIAmAliveAsync(heartbeat);

        var after = await table.ReadAllAsync();
        var expected = Copy(alive);
        expected.IAmAliveTime = heartbeat.IAmAliveTime;
        AssertSameRow(expected, RowOf(after, alive.SiloAddress));
        AssertSameRow(other, RowOf(after, other.SiloAddress));
        Assert.Equal(before.Version.Version, after.Version.Version);
        Assert.Equal(before.Version.VersionEtag, after.Version.VersionEtag);

        // A snapshot read after the heartbeat is still good for the next change.
        Assert.True(await table.UpdateRowAsync(WithStatus(expected, SiloStatus.ShuttingDown), EtagOf(after, alive), after.Version.Next()));
    }

    [CheckedFact]
    public async Task ReadAll_ReturnsTheVersionAndRowsOfOneMoment_WhileRowsAreAdded()
    {
        var table = await NewClusterAsync();
        var readers = await OpenSilosAsync(table.ClusterId);
        const int Rows = 25;
        using var done = new CancellationTokenSource();

        // Every insert adds one row and one version, so a consistent snapshot has as many rows as its version.
        // Writes start once every reader has read once, so reads overlap them even where a write is much
        // cheaper than a read (a table host writing locally while the others read over the network).
        var started = readers.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var reading = readers.Select((reader, index) => Task.Run(async () =>
        {
            int snapshots = 0;
            while (!done.IsCancellationRequested)
            {
                var data = await reader.ReadAllAsync();
                Assert.Equal(data.Version.Version, data.Members.Count);
                snapshots++;
                started[index].TrySetResult();
            }

            return snapshots;
        })).ToArray();
        await Task.WhenAll(started.Select(s => s.Task)).WaitAsync(BoundedMembershipTable.CallTimeout);
        for (int i = 0; i < Rows; i++)
        {
            Assert.True(await table.InsertRowAsync(NewEntry(), (await table.ReadAllAsync()).Version.Next()));
        }

        done.Cancel();
        int[] counts = await Task.WhenAll(reading).WaitAsync(BoundedMembershipTable.CallTimeout);
        Assert.All(counts, count => Assert.True(count > 0));
        var final = await table.ReadAllAsync();
        Assert.Equal(Rows, final.Members.Count);
        Assert.Equal(Rows, final.Version.Version);
    }

    [CheckedFact]
    public async Task ReadRow_ReturnsTheSiloAndTheTableVersion_OrTheVersionAlone()
    {
        var table = await NewClusterAsync();
        var first = NewEntry();
        var second = NewEntry();
        Assert.True(await table.InsertRowAsync(first, (await table.ReadAllAsync()).Version.Next()));
        Assert.True(await table.InsertRowAsync(second, (await table.ReadAllAsync()).Version.Next()));

        var found = await table.ReadRowAsync(first.SiloAddress);
        var missing = await table.ReadRowAsync(NewEntry().SiloAddress);

        AssertSameRow(first, Assert.Single(found.Members).Item1);
        Assert.Equal(2, found.Version.Version);
        Assert.Empty(missing.Members);
        Assert.Equal(2, missing.Version.Version);
    }

    [CheckedFact]
    public async Task CleanupDefunctSiloEntries_RemovesDeadSilosUnchangedSinceTheDate_AndKeepsTheRest()
    {
        var table = await NewClusterAsync();
        var now = WholeSeconds(DateTime.UtcNow);
        var old = now.AddDays(-10);
        var oldDead = NewEntry(SiloStatus.Dead, old);
        var oldActive = NewEntry(SiloStatus.Active, old);
        var recentDead = NewEntry(SiloStatus.Dead, now);
        var declaredDeadLately = NewEntry(SiloStatus.Active, old);
        foreach (var entry in new[] { oldDead, oldActive, recentDead, declaredDeadLately })
        {
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        }

        // A silo that stopped heart-beating long ago but was voted dead an hour ago, as Orleans declares deaths.
        var snapshot = await table.ReadAllAsync();
        var declared = WithStatus(declaredDeadLately, SiloStatus.Dead);
        declared.SuspectTimes = [Tuple.Create(oldActive.SiloAddress, now.AddHours(-1))];
        Assert.True(await table.UpdateRowAsync(declared, EtagOf(snapshot, declaredDeadLately), snapshot.Version.Next()));

        // The same kind of row in another cluster is not this cleanup's business.
        var neighbour = await NewClusterAsync();
        var neighbourDead = NewEntry(SiloStatus.Dead, old);
        Assert.True(await neighbour.InsertRowAsync(neighbourDead, (await neighbour.ReadAllAsync()).Version.Next()));

        await table.CleanupDefunctSiloEntriesAsync(now.AddDays(-3));

        // Old rows in other states (Joining, ShuttingDown, ...) are left out: Orleans' providers differ on
        // them (its in-memory table removes every state but Active, its ADO.NET rule only Dead).
        var left = (await table.ReadAllAsync()).Members.Select(m => m.Item1.SiloAddress).ToHashSet();
        Assert.Equal(new HashSet<SiloAddress> { oldActive.SiloAddress, recentDead.SiloAddress, declared.SiloAddress }, left);
        Assert.Single((await neighbour.ReadAllAsync()).Members);
    }

    [CheckedFact]
    public async Task DeleteMembershipTableEntries_RemovesOneCluster_AndLeavesTheOthers()
    {
        var doomed = await NewClusterAsync();
        var kept = await NewClusterAsync();
        Assert.True(await doomed.InsertRowAsync(NewEntry(), (await doomed.ReadAllAsync()).Version.Next()));
        var keptEntry = NewEntry();
        Assert.True(await kept.InsertRowAsync(keptEntry, (await kept.ReadAllAsync()).Version.Next()));

        await doomed.DeleteMembershipTableEntriesAsync(doomed.ClusterId);

        var keptData = await kept.ReadAllAsync();
        AssertSameRow(keptEntry, Assert.Single(keptData.Members).Item1);
        Assert.Equal(1, keptData.Version.Version);

        // The deleted cluster starts over when a silo starts in it again.
        await doomed.InitializeAsync();
        var restarted = await doomed.ReadAllAsync();
        Assert.Empty(restarted.Members);
        Assert.Equal(0, restarted.Version.Version);
    }

    /// <summary>A fresh cluster id with its table initialized, deleted again after the test.</summary>
    protected async Task<BoundedMembershipTable> NewClusterAsync()
    {
        var table = await OpenAsync($"contract-{Guid.NewGuid():N}");
        _clusters.Add(table);
        return table;
    }

    /// <summary>Another silo's table of cluster <paramref name="clusterId"/>, initialized as that silo would.</summary>
    protected async Task<BoundedMembershipTable> OpenAsync(string clusterId)
    {
        var table = new BoundedMembershipTable(
            await CreateTableAsync(clusterId).WaitAsync(BoundedMembershipTable.CallTimeout), clusterId);
        await table.InitializeAsync();
        return table;
    }

    private async Task<List<BoundedMembershipTable>> OpenSilosAsync(string clusterId)
    {
        var tables = new List<BoundedMembershipTable>();
        for (int i = 0; i < 4; i++)
        {
            tables.Add(await OpenAsync(clusterId));
        }

        return tables;
    }

    // Starts every racer at once; a racer that throws lost, as Orleans treats a failed call as a refusal
    // (and retries after reading again).
    private static async Task<bool[]> RaceAsync(int count, Func<int, Task<bool>> racer)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await start.Task;
            try
            {
                return await racer(i);
            }
            catch (Exception)
            {
                return false;
            }
        })).ToArray();
        start.SetResult();
        return await Task.WhenAll(racers).WaitAsync(TimeSpan.FromSeconds(90));
    }

    /// <summary>A silo row no other test uses, started and last alive at <paramref name="time"/> (whole seconds, UTC).</summary>
    protected static MembershipEntry NewEntry(SiloStatus status = SiloStatus.Joining, DateTime? time = null)
    {
        int generation = Interlocked.Increment(ref _generation);
        var at = time ?? WholeSeconds(DateTime.UtcNow);
        return new MembershipEntry
        {
            SiloAddress = SiloAddress.New(IPAddress.Parse("127.0.0.10"), 11111, generation),
            SiloName = $"node-{generation}",
            HostName = "contract-test-host",
            Status = status,
            ProxyPort = 30000,
            StartTime = at,
            IAmAliveTime = at,
        };
    }

    private static MembershipEntry Copy(MembershipEntry entry) => new()
    {
        SiloAddress = entry.SiloAddress,
        SiloName = entry.SiloName,
        HostName = entry.HostName,
        Status = entry.Status,
        ProxyPort = entry.ProxyPort,
        StartTime = entry.StartTime,
        IAmAliveTime = entry.IAmAliveTime,
        SuspectTimes = entry.SuspectTimes is null ? null : [.. entry.SuspectTimes],
    };

    private static MembershipEntry WithStatus(MembershipEntry entry, SiloStatus status)
    {
        var copy = Copy(entry);
        copy.Status = status;
        return copy;
    }

    // Stores keep times to a millisecond or better, and suspicion votes to a millisecond; whole seconds
    // compare exactly everywhere.
    private static DateTime WholeSeconds(DateTime utc) =>
        new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);

    private static string EtagOf(MembershipTableData data, MembershipEntry entry) =>
        data.Members.Single(m => m.Item1.SiloAddress.Equals(entry.SiloAddress)).Item2;

    private static MembershipEntry RowOf(MembershipTableData data, SiloAddress silo) =>
        Assert.Single(data.Members, m => m.Item1.SiloAddress.Equals(silo)).Item1;

    private static void AssertSameRow(MembershipEntry expected, MembershipEntry actual)
    {
        Assert.Equal(expected.SiloAddress, actual.SiloAddress);
        Assert.Equal(expected.SiloName, actual.SiloName);
        Assert.Equal(expected.HostName, actual.HostName);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.ProxyPort, actual.ProxyPort);
        Assert.Equal(expected.StartTime, actual.StartTime);
        Assert.Equal(expected.IAmAliveTime, actual.IAmAliveTime);
        Assert.Equal(
            (expected.SuspectTimes ?? []).Select(v => (v.Item1, v.Item2)),
            (actual.SuspectTimes ?? []).Select(v => (v.Item1, v.Item2)));
    }
}
