using Npgsql;
using OrleansCache.Silo.Clustering.AdoNet;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL database of the membership tests, with the membership schema applied by the same
/// installer nodes use, on the server <see cref="TestPostgres"/> provides (the tests' own, or the one
/// <c>ORLEANS_CACHE_POSTGRES</c> names). Classes that use it are marked <c>[Needs(Prerequisite.Postgres)]</c>.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    private string? _connectionString;

    /// <summary>The connection string of the test database.</summary>
    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("The database is not initialized yet.");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _connectionString = await TestPostgres.ConnectionStringAsync();
        try
        {
            // Applied even when the database shows the current revision, so the tests always run the SQL
            // of this checkout.
            await PostgresMembershipSchema.ApplyAsync(_connectionString);
        }
        catch (MembershipSchemaException e)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL tests' server does not answer. {e.Message} Unset ORLEANS_CACHE_POSTGRES to let the tests start their own.", e);
        }
    }

    /// <inheritdoc />
    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A cluster id no other test uses.</summary>
    public static string NewClusterId(string purpose) => $"{purpose}-{Guid.NewGuid():N}";

    /// <summary>Removes what nodes of cluster <paramref name="clusterId"/> left in the membership tables.</summary>
    public async Task DeleteClusterAsync(string clusterId)
    {
        var timeout = TimeSpan.FromSeconds(30);
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync().WaitAsync(timeout);
        await using var command = new NpgsqlCommand(
            "DELETE FROM OrleansMembershipTable WHERE DeploymentId = @cluster; DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @cluster;",
            connection);
        command.Parameters.AddWithValue("cluster", clusterId);
        await command.ExecuteNonQueryAsync().WaitAsync(timeout);
    }
}
