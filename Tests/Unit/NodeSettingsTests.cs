using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Silo.Configuration;

namespace OrleansCache.Tests.Unit;

public sealed class NodeSettingsTests
{
    [Fact]
    public void Load_StartsOneLoopbackNode_WithNoSettings()
    {
        var settings = NodeSettings.Load(Configuration());

        Assert.Equal("0", settings.Node.NodeId);
        Assert.Equal("127.0.0.1", settings.Node.NodeIp.ToString());
        Assert.Null(settings.Node.LinkedSiloEndpoint);
        Assert.Equal((11111, 30000, 8080, 6379), (settings.Node.SiloPort, settings.Node.GatewayPort, settings.Node.HttpPort, settings.Node.RespPort));
        Assert.Equal((1024, 2, 1024 * 1024), (settings.Cache.Buckets, settings.Cache.ReplicationFactor, settings.Cache.MaxValueBytes));
        Assert.Equal(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2, settings.Cache.MaxMemoryBytes);
        Assert.Equal(EvictionPolicy.Lru, settings.Cache.EvictionPolicy);
        Assert.Equal(MergePolicy.PutIfAbsent, settings.Cache.MergePolicy);
    }

    [Theory]
    [InlineData("NODE_IP", "not-an-ip")]
    [InlineData("NODE_IP", "0.0.0.0")]
    [InlineData("BUCKETS", "abc")]
    [InlineData("BUCKETS", "0")]
    [InlineData("REPLICATION_FACTOR", "0")]
    [InlineData("MAX_VALUE_BYTES", "-5")]
    [InlineData("MAX_MEMORY_BYTES", "64mb")]
    [InlineData("MAX_MEMORY_BYTES", "1000")]
    [InlineData("EVICTION_POLICY", "allkeys-random")]
    [InlineData("MERGE_POLICY", "last-write-wins")]
    [InlineData("HTTP_PORT", "70000")]
    [InlineData("RESP_PORT", "0")]
    [InlineData("RESP_PORT", "redis")]
    [InlineData("RESP_PORT", "8080")]
    [InlineData("CLUSTERING", "zookeeper")]
    [InlineData("LINKED_NODE_IP", "10.0.0.300")]
    [InlineData("LOG_FORMAT", "xml")]
    public void Load_RefusesABadValue_NamingTheVariable(string variable, string value)
    {
        var error = Assert.Throws<OptionsValidationException>(() => NodeSettings.Load(Configuration((variable, value))));

        Assert.Contains(variable, error.Message);
    }

    [Fact]
    public void Load_RefusesALinkedIdWithoutALinkedIp()
    {
        var error = Assert.Throws<OptionsValidationException>(() => NodeSettings.Load(Configuration(("LINKED_NODE_ID", "1"))));

        Assert.Contains("LINKED_NODE_IP", error.Message);
    }

    [Fact]
    public void Load_ReadsEverySetting()
    {
        var settings = NodeSettings.Load(Configuration(
            ("NODE_ID", "n7"), ("NODE_IP", "127.0.0.17"), ("LINKED_NODE_ID", "n1"), ("LINKED_NODE_IP", "127.0.0.11"),
            ("BUCKETS", "64"), ("REPLICATION_FACTOR", "3"), ("MAX_VALUE_BYTES", "4096"), ("CLUSTER_ID", "c1"), ("RESP_PORT", "7000"),
            ("MAX_MEMORY_BYTES", "67108864"), ("EVICTION_POLICY", "NoEviction"), ("MERGE_POLICY", "Latest-Update")));

        Assert.Equal("n7", settings.Node.NodeId);
        Assert.Equal("127.0.0.11:11111", settings.Node.LinkedSiloEndpoint!.ToString());
        Assert.Equal((64, 3, 4096), (settings.Cache.Buckets, settings.Cache.ReplicationFactor, settings.Cache.MaxValueBytes));
        Assert.Equal("c1", settings.Node.ClusterId);
        Assert.Equal(7000, settings.Node.RespPort);
        Assert.Equal((64L * 1024 * 1024, EvictionPolicy.NoEviction), (settings.Cache.MaxMemoryBytes, settings.Cache.EvictionPolicy));
        Assert.Equal(MergePolicy.LatestUpdate, settings.Cache.MergePolicy);
    }

    [Theory]
    [InlineData(null, "text")]
    [InlineData("JSON", "json")]
    [InlineData("text", "text")]
    public void Load_ReadsTheLogFormat_InAnyCase(string? value, string expected)
    {
        var settings = NodeSettings.Load(value is null ? Configuration() : Configuration(("LOG_FORMAT", value)));

        Assert.Equal(expected, settings.Node.LogFormat);
    }

    [Theory]
    [InlineData("put-if-absent", MergePolicy.PutIfAbsent)]
    [InlineData("PUT-IF-ABSENT", MergePolicy.PutIfAbsent)]
    [InlineData("latest-update", MergePolicy.LatestUpdate)]
    public void Load_ReadsTheMergePolicy_InAnyCase(string value, MergePolicy expected)
    {
        var settings = NodeSettings.Load(Configuration(("MERGE_POLICY", value)));

        Assert.Equal(expected, settings.Cache.MergePolicy);
    }

    [Theory]
    [InlineData("MERGE_POLICY", "latest_update", "MERGE_POLICY must be 'put-if-absent' or 'latest-update'; it is 'latest_update'.")]
    [InlineData("EVICTION_POLICY", "allkeys-lru", "EVICTION_POLICY must be 'lru' or 'noeviction'; it is 'allkeys-lru'.")]
    public void Load_RefusesAnUnknownPolicy_NamingTheValuesAllowed(string variable, string value, string message)
    {
        var error = Assert.Throws<OptionsValidationException>(() => NodeSettings.Load(Configuration((variable, value))));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Load_ReadsAdoNetSettings_WithNpgsqlAsTheDefaultInvariant()
    {
        var settings = NodeSettings.Load(Configuration(("CLUSTERING", "AdoNet"), ("ADONET_CONNECTION_STRING", PostgresConnection)));

        Assert.Equal(ClusteringModes.AdoNet, settings.Node.Clustering);
        Assert.Equal(PostgresConnection, settings.Node.AdoNetConnectionString);
        Assert.Equal("Npgsql", settings.Node.AdoNetInvariant);
    }

    [Fact]
    public void Load_AcceptsTheNpgsqlInvariantInAnyCase_AndPassesItOnAsOrleansNamesIt()
    {
        var settings = NodeSettings.Load(Configuration(
            ("CLUSTERING", "adonet"), ("ADONET_CONNECTION_STRING", PostgresConnection), ("ADONET_INVARIANT", "npgsql")));

        Assert.Equal("Npgsql", settings.Node.AdoNetInvariant);
    }

    [Fact]
    public void Load_RefusesAdoNetWithoutAConnectionString_NamingTheVariable()
    {
        var error = Assert.Throws<OptionsValidationException>(() => NodeSettings.Load(Configuration(("CLUSTERING", "adonet"))));

        Assert.Contains("ADONET_CONNECTION_STRING is required", error.Message);
    }

    [Theory]
    [InlineData("this is not a connection string")]
    [InlineData("Host=db;Colour=blue")]
    [InlineData("Username=orleans;Password=secret-pw;Database=x")]
    public void Load_RefusesAMalformedConnectionString_WithoutRepeatingIt(string connectionString)
    {
        var error = Assert.Throws<OptionsValidationException>(() => NodeSettings.Load(Configuration(
            ("CLUSTERING", "adonet"), ("ADONET_CONNECTION_STRING", connectionString))));

        Assert.Contains("ADONET_CONNECTION_STRING", error.Message);
        Assert.DoesNotContain("secret-pw", error.Message);
    }

    [Theory]
    [InlineData("System.Data.SqlClient")]
    [InlineData("MySql.Data.MySqlClient")]
    public void Load_RefusesAnInvariantOtherThanNpgsql_SayingOnlyPostgreSqlIsSupported(string invariant)
    {
        var error = Assert.Throws<OptionsValidationException>(() => NodeSettings.Load(Configuration(
            ("CLUSTERING", "adonet"), ("ADONET_CONNECTION_STRING", PostgresConnection), ("ADONET_INVARIANT", invariant))));

        Assert.Contains("ADONET_INVARIANT", error.Message);
        Assert.Contains("only PostgreSQL", error.Message);
    }

    [Fact]
    public void Load_IgnoresAdoNetSettings_WithGossipClustering()
    {
        var settings = NodeSettings.Load(Configuration(("ADONET_CONNECTION_STRING", "not checked"), ("ADONET_INVARIANT", "Other")));

        Assert.Equal(ClusteringModes.Gossip, settings.Node.Clustering);
    }

    private const string PostgresConnection = "Host=127.0.0.1;Port=5432;Username=orleans;Password=orleans;Database=orleans_cache_test";

    private static IConfiguration Configuration(params (string Name, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Name, v.Value)))
            .Build();
}
