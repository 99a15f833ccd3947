using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Silo.Configuration;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Unit;

public sealed class NodeSettingsTests
{
    [Fact]
    public void Load_StartsOneLoopbackNode_WithNoSettings()
    {
        var settings = Load(Configuration());

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
    [InlineData("BUCKETS", "1000")]
    [InlineData("BUCKETS", "32768")]
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
    [InlineData("KUBERNETES_HOSTING", "yes")]
    public void Load_RefusesABadValue_NamingTheVariable(string variable, string value)
    {
        var error = Refusal(Configuration((variable, value)));

        Assert.Contains(variable, error);
    }

    [Fact]
    public void Load_RefusesALinkedIdWithoutALinkedIp()
    {
        var error = Refusal(Configuration(("LINKED_NODE_ID", "1")));

        Assert.Contains("LINKED_NODE_IP", error);
    }

    [Fact]
    public void Load_ReadsEverySetting()
    {
        var settings = Load(Configuration(
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
        var settings = Load(value is null ? Configuration() : Configuration(("LOG_FORMAT", value)));

        Assert.Equal(expected, settings.Node.LogFormat);
    }

    [Theory]
    [InlineData("put-if-absent", MergePolicy.PutIfAbsent)]
    [InlineData("PUT-IF-ABSENT", MergePolicy.PutIfAbsent)]
    [InlineData("latest-update", MergePolicy.LatestUpdate)]
    public void Load_ReadsTheMergePolicy_InAnyCase(string value, MergePolicy expected)
    {
        var settings = Load(Configuration(("MERGE_POLICY", value)));

        Assert.Equal(expected, settings.Cache.MergePolicy);
    }

    [Theory]
    [InlineData("MERGE_POLICY", "latest_update", "MERGE_POLICY must be 'put-if-absent' or 'latest-update'; it is 'latest_update'.")]
    [InlineData("EVICTION_POLICY", "allkeys-lru", "EVICTION_POLICY must be 'lru' or 'noeviction'; it is 'allkeys-lru'.")]
    public void Load_RefusesAnUnknownPolicy_NamingTheValuesAllowed(string variable, string value, string message)
    {
        var error = Refusal(Configuration((variable, value)));

        Assert.Contains(message, error);
    }

    [Fact]
    public void Load_ReadsAdoNetSettings_WithNpgsqlAsTheDefaultInvariant()
    {
        var settings = Load(Configuration(("CLUSTERING", "AdoNet"), ("ADONET_CONNECTION_STRING", PostgresConnection)));

        Assert.Equal(ClusteringModes.AdoNet, settings.Node.Clustering);
        Assert.Equal(PostgresConnection, settings.Node.AdoNetConnectionString);
        Assert.Equal("Npgsql", settings.Node.AdoNetInvariant);
    }

    [Fact]
    public void Load_AcceptsTheNpgsqlInvariantInAnyCase_AndPassesItOnAsOrleansNamesIt()
    {
        var settings = Load(Configuration(
            ("CLUSTERING", "adonet"), ("ADONET_CONNECTION_STRING", PostgresConnection), ("ADONET_INVARIANT", "npgsql")));

        Assert.Equal("Npgsql", settings.Node.AdoNetInvariant);
    }

    [Fact]
    public void Load_RefusesAdoNetWithoutAConnectionString_NamingTheVariable()
    {
        var error = Refusal(Configuration(("CLUSTERING", "adonet")));

        Assert.Contains("ADONET_CONNECTION_STRING is required", error);
    }

    [Theory]
    [InlineData("this is not a connection string")]
    [InlineData("Host=db;Colour=blue")]
    [InlineData("Username=orleans;Password=secret-pw;Database=x")]
    public void Load_RefusesAMalformedConnectionString_WithoutRepeatingIt(string connectionString)
    {
        var error = Refusal(Configuration(
            ("CLUSTERING", "adonet"), ("ADONET_CONNECTION_STRING", connectionString)));

        Assert.Contains("ADONET_CONNECTION_STRING", error);
        Assert.DoesNotContain("secret-pw", error);
    }

    [Theory]
    [InlineData("System.Data.SqlClient")]
    [InlineData("MySql.Data.MySqlClient")]
    public void Load_RefusesAnInvariantOtherThanNpgsql_SayingOnlyPostgreSqlIsSupported(string invariant)
    {
        var error = Refusal(Configuration(
            ("CLUSTERING", "adonet"), ("ADONET_CONNECTION_STRING", PostgresConnection), ("ADONET_INVARIANT", invariant)));

        Assert.Contains("ADONET_INVARIANT", error);
        Assert.Contains("only PostgreSQL", error);
    }

    [Fact]
    public void Load_IgnoresAdoNetSettings_WithGossipClustering()
    {
        var settings = Load(Configuration(("ADONET_CONNECTION_STRING", "not checked"), ("ADONET_INVARIANT", "Other")));

        Assert.Equal(ClusteringModes.Gossip, settings.Node.Clustering);
    }

    [Fact]
    public void Read_NamesEveryBadSetting_WhateverOptionsOwnIt()
    {
        var error = Refusal(Configuration(("NODE_IP", "0.0.0.0"), ("BUCKETS", "0"), ("REPLICATION_FACTOR", "9")));

        Assert.Contains("NODE_IP", error);
        Assert.Contains("BUCKETS", error);
        Assert.Contains("REPLICATION_FACTOR", error);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void Read_RefusesEveryUnreadableValueAtOnce_BeforeTheHostIsBuilt()
    {
        var error = Assert.Throws<OptionsValidationException>(() => NodeSettings.Read(Configuration(("SILO_PORT", "x"), ("MAX_MEMORY_BYTES", "1 GB"))));

        Assert.Contains("SILO_PORT must be a whole number; it is 'x'.", error.Failures);
        Assert.Contains("MAX_MEMORY_BYTES must be a whole number; it is '1 GB'.", error.Failures);
    }

    [Fact]
    public void Load_RefusesANodeOthersCanReach_WithoutClusterSecretAndCachePassword()
    {
        var error = Refusal(Configuration(("NODE_IP", "10.0.0.5")));

        Assert.Contains("NODE_IP 10.0.0.5 is not a loopback address", error);
        Assert.Contains("set CLUSTER_SECRET and CACHE_PASSWORD", error);
        Assert.Contains("INSECURE=true", error);
        Assert.Contains("set CACHE_PASSWORD (", Refusal(Configuration(("NODE_IP", "10.0.0.5"), ("CLUSTER_SECRET", "sixteen-chars-ok"))));
    }

    [Theory]
    [InlineData("INSECURE", "true")]
    [InlineData("CLUSTER_SECRET", "sixteen-chars-ok")]
    public void Load_StartsANodeOthersCanReach_WithBothSecrets_OrInsecureOnPurpose(string variable, string value)
    {
        var settings = Load(Configuration(("NODE_IP", "10.0.0.5"), ("CACHE_PASSWORD", "a password"), (variable, value)));

        Assert.Equal("10.0.0.5", settings.Node.NodeIp.ToString());
    }

    [Fact]
    public void Load_StartsAnAdoNetNodeOthersCanReach_WithThePasswordAlone()
    {
        var settings = Load(Configuration(
            ("NODE_IP", "10.0.0.5"), ("CACHE_PASSWORD", "a password"), ("CLUSTERING", "adonet"), ("ADONET_CONNECTION_STRING", "Host=db;Database=cache")));

        Assert.Null(settings.Node.ClusterSecret);
    }

    [Theory]
    [InlineData("CLUSTER_SECRET", "too-short")]
    [InlineData("INSECURE", "yes")]
    public void Load_RefusesAWeakSecretOrAnUnclearInsecure(string variable, string value)
    {
        Assert.Contains(variable, Refusal(Configuration((variable, value))));
    }

    [Fact]
    public void Load_RefusesATlsCertificateItCannotUse_NamingTheVariable()
    {
        string pfx = TestCertificates.CreatePfx("settings");

        Assert.Contains("TLS_CERTIFICATE: The certificate /nonexistent/node.pfx cannot be read", Refusal(Configuration(("TLS_CERTIFICATE", "/nonexistent/node.pfx"))));
        Assert.Contains("the password may be incorrect", Refusal(Configuration(("TLS_CERTIFICATE", pfx), ("TLS_CERTIFICATE_PASSWORD", "wrong"))));
        Assert.Contains("TLS_CERTIFICATE_PASSWORD is set but TLS_CERTIFICATE is not", Refusal(Configuration(("TLS_CERTIFICATE_PASSWORD", "x"))));
        Assert.Equal(pfx, Load(Configuration(("TLS_CERTIFICATE", pfx), ("TLS_CERTIFICATE_PASSWORD", TestCertificates.Password))).Node.TlsCertificate);
    }

    [Fact]
    public void Load_LeavesKubernetesHostingOff_WhenUnset()
    {
        var settings = Load(Configuration(("KUBERNETES_SERVICE_HOST", "10.96.0.1")));

        Assert.False(settings.Node.KubernetesHosting);
    }

    [Fact]
    public void Load_TakesKubernetesHosting_InAPodNamedAfterTheNode()
    {
        var settings = Load(Configuration(
            ("KUBERNETES_HOSTING", "true"), ("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("NODE_ID", "orleans-cache-2"), ("POD_NAME", "orleans-cache-2")));

        Assert.True(settings.Node.KubernetesHosting);
    }

    [Fact]
    public void Load_RefusesKubernetesHosting_OutsideAPod()
    {
        var error = Refusal(Configuration(("KUBERNETES_HOSTING", "true"), ("NODE_ID", "n"), ("POD_NAME", "n")));

        Assert.Contains("KUBERNETES_SERVICE_HOST is unset", error);
    }

    [Fact]
    public void Load_RefusesKubernetesHosting_WhenNodeIdIsNotThePodName()
    {
        // The agent would declare dead every silo whose name no pod has: the whole cluster but itself.
        var error = Refusal(Configuration(
            ("KUBERNETES_HOSTING", "true"), ("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("NODE_ID", "1"), ("POD_NAME", "orleans-cache-1")));

        Assert.Contains("NODE_ID must be the pod's name", error);
    }

    private static (NodeOptions Node, CacheOptions Cache) Load(IConfiguration configuration) => NodeSettings.Read(configuration);

    // All failures, as the node prints them: in one line.
    private static string Refusal(IConfiguration configuration) =>
        string.Join(" ", Assert.Throws<OptionsValidationException>(() => NodeSettings.Read(configuration)).Failures);

    [Fact]
    public void AddNodeSettings_BindsTheSameValues_AndValidatesThemWhenTheHostStarts()
    {
        var services = new ServiceCollection().AddNodeSettings(Configuration(("NODE_ID", "n3"), ("BUCKETS", "0"))).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("BUCKETS must be a power of two from 1 to 16384", error.Message);
        Assert.Equal("n3", services.GetRequiredService<IOptions<NodeOptions>>().Value.NodeId);
    }

    private const string PostgresConnection = "Host=127.0.0.1;Port=5432;Username=orleans;Password=orleans;Database=orleans_cache_test";

    private static IConfiguration Configuration(params (string Name, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Name, v.Value)))
            .Build();
}
