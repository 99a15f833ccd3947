using System.Reflection;
using System.Text.RegularExpressions;
using Npgsql;

namespace OrleansCache.Silo.Clustering.AdoNet;

/// <summary>
/// The PostgreSQL schema that Orleans' ADO.NET clustering provider needs: <c>PostgreSQL-Membership.sql</c>,
/// embedded in this assembly, and the means to install it.
/// </summary>
public static partial class PostgresMembershipSchema
{
    private const string ResourceName = "OrleansCache.Silo.Clustering.AdoNet.PostgreSQL-Membership.sql";

    /// <summary>
    /// The longest an install may take, whatever the connection string's own timeouts say (Npgsql's defaults
    /// are 15 s to connect and 30 s per command), so that a node never hangs at start.
    /// </summary>
    public static TimeSpan InstallTimeout { get; } = TimeSpan.FromSeconds(60);

    /// <summary>The schema as SQL, exactly as a DBA would apply it with <c>psql -f</c>.</summary>
    public static string Sql { get; } = ReadSql();

    /// <summary>
    /// The revision the SQL declares (as the comment of table <c>OrleansQuery</c>); a database showing this
    /// revision has the schema already.
    /// </summary>
    public static string Revision { get; } = RevisionPattern().Match(Sql) is { Success: true } match
        ? match.Groups["revision"].Value
        : throw new InvalidOperationException($"{ResourceName} declares no revision.");

    /// <summary>
    /// Applies the schema unless the database already has this <see cref="Revision"/>.
    /// </summary>
    /// <returns><see langword="true"/> when the schema was applied, <see langword="false"/> when it was current.</returns>
    /// <exception cref="MembershipSchemaException">The server is unreachable, refused the login or the SQL,
    /// or did not finish within <see cref="InstallTimeout"/>.</exception>
    public static Task<bool> InstallAsync(string connectionString, CancellationToken cancellationToken = default) =>
        RunAsync(connectionString, async (connection, ct) =>
        {
            if (await ReadRevisionAsync(connection, ct) == Revision)
            {
                return false;
            }

            await ApplyAsync(connection, ct);
            return true;
        }, cancellationToken);

    /// <summary>Applies the schema even when the database has it already (it is idempotent).</summary>
    /// <exception cref="MembershipSchemaException">As for <see cref="InstallAsync"/>.</exception>
    public static Task ApplyAsync(string connectionString, CancellationToken cancellationToken = default) =>
        RunAsync(connectionString, async (connection, ct) =>
        {
            await ApplyAsync(connection, ct);
            return true;
        }, cancellationToken);

    /// <summary>Names the server and database of a connection string, without its password.</summary>
    public static string DescribeServer(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"PostgreSQL at {builder.Host}:{builder.Port}, database '{builder.Database ?? builder.Username}'";
    }

    private static async Task<T> RunAsync<T>(
        string connectionString, Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        string server;
        try
        {
            server = DescribeServer(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new MembershipSchemaException($"ADONET_CONNECTION_STRING is not a valid Npgsql connection string: {OneLine(e.Message)}", e);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(InstallTimeout);
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(deadline.Token);
            return await work(connection, deadline.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MembershipSchemaException(
                $"Cannot install the membership schema: {server} did not answer within {InstallTimeout.TotalSeconds:0} s. " +
                "Check ADONET_CONNECTION_STRING and that the server is reachable.", e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new MembershipSchemaException(
                $"Cannot install the membership schema in {server}: {Describe(e)}. " +
                "Check ADONET_CONNECTION_STRING and that the server is reachable and accepts this login.", e);
        }
    }

    private static async Task<string?> ReadRevisionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT obj_description(to_regclass('orleansquery'), 'pg_class')", connection);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    private static async Task ApplyAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // One command: the file is its own transaction (BEGIN ... COMMIT) behind an advisory lock.
        await using var command = new NpgsqlCommand(Sql, connection)
        {
            CommandTimeout = (int)InstallTimeout.TotalSeconds,
        };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Describe(Exception e)
    {
        if (e is PostgresException postgres)
        {
            string hint = postgres.SqlState == PostgresErrorCodes.InsufficientPrivilege
                ? " (this login may not create the tables: apply PostgreSQL-Membership.sql once as the database owner; nodes then only check its revision)"
                : "";
            return OneLine($"{postgres.SqlState} {postgres.MessageText}{hint}");
        }

        // Npgsql reports "Failed to connect to host:port" and keeps the reason (refused, timed out, ...) inside.
        var messages = new List<string>();
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (!messages.Contains(current.Message))
            {
                messages.Add(current.Message);
            }
        }

        return OneLine(string.Join(": ", messages));
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.');

    private static string ReadSql()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"{ResourceName} is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^COMMENT ON TABLE OrleansQuery IS '(?<revision>[^']+)';", RegexOptions.Multiline)]
    private static partial Regex RevisionPattern();
}
