namespace OrleansCache.Tests.Membership;

/// <summary>
/// An <see cref="IMembershipTable"/> of one cluster, called the way Orleans 10 calls it (the <c>…Async</c>
/// methods with a cancellation token), with every call bounded so a stuck provider fails a test instead of
/// hanging it.
/// </summary>
public sealed class BoundedMembershipTable(IMembershipTable table, string clusterId)
{
    /// <summary>The longest any one call may take.</summary>
    public static TimeSpan CallTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>The cluster this table serves.</summary>
    public string ClusterId => clusterId;

    /// <summary>As a silo starts: creates the cluster's version row unless it exists.</summary>
    public Task InitializeAsync() => Run(async ct =>
    {
        await table.InitializeMembershipTableAsync(true, ct);
        return true;
    });

    /// <summary>The table version and every row, read together.</summary>
    public Task<MembershipTableData> ReadAllAsync() => Run(table.ReadAllAsync);

    /// <summary>The table version and the row of <paramref name="silo"/>, if any.</summary>
    public Task<MembershipTableData> ReadRowAsync(SiloAddress silo) => Run(ct => table.ReadRowAsync(silo, ct));

    /// <summary>Adds a row if the table is still at the version <paramref name="version"/> follows.</summary>
    public Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion version) =>
        Run(ct => table.InsertRowAsync(entry, version, ct));

    /// <summary>Replaces a row if its etag and the table version are still the ones read.</summary>
    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion version) =>
        Run(ct => table.UpdateRowAsync(entry, etag, version, ct));

    /// <summary>Records a heartbeat: <see cref="MembershipEntry.IAmAliveTime"/> of the silo of <paramref name="entry"/>.</summary>
    public Task UpdateIAmAliveAsync(MembershipEntry entry) => Run(async ct =>
    {
        await table.UpdateIAmAliveAsync(entry, ct);
        return true;
    });

    /// <summary>Removes defunct rows not updated since <paramref name="beforeDate"/>.</summary>
    public Task CleanupDefunctSiloEntriesAsync(DateTimeOffset beforeDate) => Run(async ct =>
    {
        await table.CleanupDefunctSiloEntriesAsync(beforeDate, ct);
        return true;
    });

    /// <summary>Removes every row and the version of cluster <paramref name="cluster"/>.</summary>
    public Task DeleteMembershipTableEntriesAsync(string cluster) => Run(async ct =>
    {
        await table.DeleteMembershipTableEntriesAsync(cluster, ct);
        return true;
    });

    private static async Task<T> Run<T>(Func<CancellationToken, Task<T>> call)
    {
        using var cancellation = new CancellationTokenSource(CallTimeout);
        return await call(cancellation.Token).WaitAsync(CallTimeout);
    }
}
