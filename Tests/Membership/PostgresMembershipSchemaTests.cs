using System.Diagnostics;
using Npgsql;
using OrleansCache.Silo.Clustering.AdoNet;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Membership;

/// <summary>
/// The installer nodes run at start with <c>CLUSTERING=adonet</c>: safe to run from many nodes at once, able
/// to upgrade, and quick and clear about a database it cannot use.
/// </summary>
[Needs(Prerequisite.Postgres)]
public sealed class PostgresMembershipSchemaTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // Each test installs into a schema of its own (through the connection's search path), so it starts
    // from an empty database as a new deployment does.
    private readonly string _schema = $"install_{Guid.NewGuid():N}";

    private string ConnectionString => new NpgsqlConnectionStringBuilder(database.ConnectionString) { SearchPath = _schema }.ConnectionString;

    public async Task InitializeAsync() => await ExecuteAsync($"CREATE SCHEMA {_schema}");

    public async Task DisposeAsync() => await ExecuteAsync($"DROP SCHEMA {_schema} CASCADE");

    [CheckedFact]
    public async Task InstallAsync_CreatesTheSchema_WhenManyNodesStartAtOnce()
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var nodes = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await PostgresMembershipSchema.InstallAsync(ConnectionString);
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(nodes).WaitAsync(Timeout);

        Assert.Equal(QueryKeys, await QueryKeysAsync());
        Assert.False(await PostgresMembershipSchema.InstallAsync(ConnectionString).WaitAsync(Timeout));
    }

    [CheckedFact]
    public async Task InstallAsync_UpgradesAnOlderRevision_KeepingTheMembershipRows()
    {
        await PostgresMembershipSchema.InstallAsync(ConnectionString).WaitAsync(Timeout);
        await ExecuteAsync($"""
            INSERT INTO {_schema}.OrleansMembershipVersionTable (DeploymentId, Version) VALUES ('kept', 41);
            UPDATE {_schema}.OrleansQuery SET QueryText = 'outdated' WHERE QueryKey = 'MembershipReadAllKey';
            COMMENT ON TABLE {_schema}.OrleansQuery IS 'an older revision';
            """);

        Assert.True(await PostgresMembershipSchema.InstallAsync(ConnectionString).WaitAsync(Timeout));

        Assert.Equal(41, await ScalarAsync<int>($"SELECT Version FROM {_schema}.OrleansMembershipVersionTable WHERE DeploymentId = 'kept'"));
        Assert.NotEqual("outdated", await ScalarAsync<string>($"SELECT QueryText FROM {_schema}.OrleansQuery WHERE QueryKey = 'MembershipReadAllKey'"));
        Assert.Equal(PostgresMembershipSchema.Revision, await ScalarAsync<string>($"SELECT obj_description('{_schema}.orleansquery'::regclass)"));
    }

    [CheckedFact]
    public async Task InstallAsync_FailsWithinSeconds_InOneLineNamingTheServer_WhenNothingListens()
    {
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<MembershipSchemaException>(() =>
            PostgresMembershipSchema.InstallAsync("Host=127.0.0.1;Port=1;Username=orleans;Password=secret-pw;Database=nowhere").WaitAsync(Timeout));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.Contains("127.0.0.1:1", error.Message);
        Assert.Contains("ADONET_CONNECTION_STRING", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain("secret-pw", error.Message);
    }

    [CheckedFact]
    public async Task InstallAsync_Fails_WithTheServersReason_WhenTheLoginIsRefused()
    {
        string wrongPassword = new NpgsqlConnectionStringBuilder(ConnectionString) { Password = "not-the-password" }.ConnectionString;

        var error = await Assert.ThrowsAsync<MembershipSchemaException>(() =>
            PostgresMembershipSchema.InstallAsync(wrongPassword).WaitAsync(Timeout));

        Assert.Contains("28P01", error.Message);
        Assert.DoesNotContain("not-the-password", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    // Every key Orleans' ADO.NET clustering provider reads; it refuses to start when one is missing.
    private static readonly string[] QueryKeys =
    [
        "CleanupDefunctSiloEntriesKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey", "InsertMembershipKey",
        "InsertMembershipVersionKey", "MembershipReadAllKey", "MembershipReadRowKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey",
    ];

    private async Task<string[]> QueryKeysAsync()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT QueryKey FROM {_schema}.OrleansQuery ORDER BY QueryKey COLLATE \"C\"", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return [.. keys];
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync().WaitAsync(Timeout);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().WaitAsync(Timeout);
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync().WaitAsync(Timeout);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync().WaitAsync(Timeout))!;
    }
}
