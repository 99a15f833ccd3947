using Npgsql;
using OrleansCache.Silo.Clustering.AdoNet;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL database of the membership tests, with the membership schema applied by the same
/// installer nodes use. Its connection string is <c>ORLEANS_CACHE_POSTGRES</c>, by default the one
/// <c>scripts/postgres.sh</c> sets up. An unreachable server fails the tests; it never skips them.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    /// <summary>What <c>scripts/postgres.sh</c> creates and prints.</summary>
    public const string DefaultConnectionString =
        "Host=127.0.0.1;Port=5432;Username=orleans;Password=orleans;Database=orleans_cache_test";

    /// <summary>The connection string of the test database.</summary>
    public string ConnectionString { get; } =
        Environment.GetEnvironmentVariable("ORLEANS_CACHE_POSTGRES") is { Length: > 0 } given ? given : DefaultConnectionString;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        try
        {
            // Applied even when the database shows the current revision, so the tests always run the SQL
            // of this checkout.
            await PostgresMembershipSchema.ApplyAsync(ConnectionString);
        }
        catch (MembershipSchemaException e)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL tests need a server. {e.Message} Run `sudo bash scripts/postgres.sh` first, " +
                "or point ORLEANS_CACHE_POSTGRES at another database.", e);
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
