namespace OrleansCache.Membership;

/// <summary>
/// The Orleans membership table under <c>CLUSTERING=gossip</c>: every call runs on the node that hosts
/// the table, this one or another (see <see cref="GossipMembership"/>).
/// </summary>
public sealed class GossipMembershipTable(GossipMembership membership) : IMembershipTable
{
    /// <inheritdoc />
    public Task InitializeMembershipTable(bool tryInitTableVersion) => membership.WaitUntilJoinedAsync(CancellationToken.None);

    /// <inheritdoc />
    public async Task DeleteMembershipTableEntries(string clusterId) =>
        await ExecuteAsync(new TableRequest(TableOperation.DeleteAll, null, null, null, null, default));

    /// <inheritdoc />
    public async Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate) =>
        await ExecuteAsync(new TableRequest(TableOperation.CleanupDefunct, null, null, null, null, beforeDate));

    /// <inheritdoc />
    public async Task<MembershipTableData> ReadRow(SiloAddress key) =>
        (await ExecuteAsync(new TableRequest(TableOperation.ReadRow, null, key, null, null, default))).Data!;

    /// <inheritdoc />
    public async Task<MembershipTableData> ReadAll() =>
        (await ExecuteAsync(new TableRequest(TableOperation.ReadAll, null, null, null, null, default))).Data!;

    /// <inheritdoc />
    public async Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion) =>
        (await ExecuteAsync(new TableRequest(TableOperation.InsertRow, entry, null, null, tableVersion, default))).Succeeded;

    /// <inheritdoc />
    public async Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) =>
        (await ExecuteAsync(new TableRequest(TableOperation.UpdateRow, entry, null, etag, tableVersion, default))).Succeeded;

    /// <inheritdoc />
    public async Task UpdateIAmAlive(MembershipEntry entry) =>
        await ExecuteAsync(new TableRequest(TableOperation.UpdateIAmAlive, entry, null, null, null, default));

    private async Task<TableResponse> ExecuteAsync(TableRequest request)
    {
        var response = await membership.ExecuteAsync(request, CancellationToken.None);
        return response.NotLeader is null
            ? response
            : throw new OrleansException($"The membership table host is changing (last known: {response.NotLeader.NodeId}, term {response.NotLeader.Term}); Orleans retries.");
    }
}
