using Orleans.TestingHost;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Grains.Routing;
using OrleansCache.Grains.Storage;
using OrleansCache.Silo.Hosting;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// An in-process cluster of its own for one test that kills, stops or adds silos, with the nodes' failure
/// detection settings so a killed silo is declared dead in seconds.
/// </summary>
public sealed class ChangingCluster : IAsyncDisposable
{
    private ChangingCluster(InProcessTestCluster cluster, CacheOptions options)
    {
        Cluster = cluster;
        Options = options;
        Cache = new CacheClient(cluster.Client);
    }

    /// <summary>The running cluster.</summary>
    public InProcessTestCluster Cluster { get; }

    /// <summary>The options every silo has.</summary>
    public CacheOptions Options { get; }

    /// <summary>The facade over the cluster's client.</summary>
    public CacheClient Cache { get; }

    /// <summary>Starts <paramref name="silos"/> silos with <paramref name="buckets"/> buckets and <paramref name="copies"/> copies of each,
    /// whatever else <paramref name="configure"/> sets, and whatever <paramref name="silo"/> adds to each silo.</summary>
    public static async Task<ChangingCluster> StartAsync(
        int silos, int buckets = 64, int copies = 2, Action<CacheOptions>? configure = null, Action<ISiloBuilder>? silo = null)
    {
        var options = new CacheOptions { Buckets = buckets, ReplicationFactor = copies };
        configure?.Invoke(options);
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((_, siloBuilder) =>
        {
            siloBuilder.Configure<Orleans.Configuration.ClusterMembershipOptions>(CacheNodeHostingExtensions.ConfigureFailureDetection);
            siloBuilder.AddCacheGrains(o =>
            {
                o.Buckets = buckets;
                o.ReplicationFactor = copies;
                configure?.Invoke(o);
            });
            silo?.Invoke(siloBuilder);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return new ChangingCluster(cluster, options);
    }

    /// <summary>The silos running now, by name.</summary>
    public IReadOnlyList<InProcessSiloHandle> Silos => Cluster.Silos.Where(s => s.IsActive).ToList();

    /// <summary>The bucket map over the silos running now.</summary>
    public BucketMap ExpectedMap => BucketMap.Build(Silos.Select(s => s.Name), Options.Buckets, Options.ReplicationFactor);

    /// <summary>Activates every bucket (and so its replicas) by reading one key from each.</summary>
    public Task TouchEveryBucketAsync() =>
        Task.WhenAll(Enumerable.Range(0, Options.Buckets).Select(b => Cluster.Client.GetGrain<IBucketGrain>(b).GetAsync("touch")));

    /// <summary>Returns the silo that hosts bucket <paramref name="bucket"/>'s primary now, by the silos' own catalogs.</summary>
    public InProcessSiloHandle SiloHoldingPrimary(int bucket) =>
        Silos.Single(s => Catalog(s).Primaries.Contains(bucket));

    /// <summary>
    /// Whether every bucket's primary and replicas are active exactly on the silos the map over the running
    /// silos names, as each silo's own catalog records, and nowhere else.
    /// </summary>
    public bool IsPlacedAsMapped(out string difference)
    {
        var map = ExpectedMap;
        foreach (var silo in Silos)
        {
            var catalog = Catalog(silo);
            var primaries = Enumerable.Range(0, Options.Buckets).Where(b => map.GetNode(b, 0) == silo.Name).Select(b => (long)b).Order().ToList();
            var replicas = Enumerable.Range(0, Options.Buckets)
                .SelectMany(b => Enumerable.Range(1, map.Copies - 1).Where(r => map.GetNode(b, r) == silo.Name).Select(r => ReplicaKey.Create(b, r)))
                .Order().ToList();
            // Spare copies (ranks the map does not place while there are fewer silos than copies) stay on purpose.
            var held = catalog.Replicas.Where(key => ReplicaKey.GetRank(key) < map.Copies).Order();
            if (!primaries.SequenceEqual(catalog.Primaries.Order()) || !replicas.SequenceEqual(held))
            {
                difference = $"{silo.Name} holds {catalog.Primaries.Count} primaries and {catalog.Replicas.Count} replicas; the map names {primaries.Count} and {replicas.Count}";
                return false;
            }
        }

        difference = "";
        return true;
    }

    /// <summary>Polls until <see cref="IsPlacedAsMapped"/> holds.</summary>
    public Task WaitUntilPlacedAsMappedAsync(TimeSpan timeout)
    {
        string difference = "not checked";
        return Poll.UntilAsync(() => Task.FromResult(IsPlacedAsMapped(out difference)), timeout, () => difference);
    }

    /// <summary>Polls until every running silo sees <paramref name="count"/> active silos.</summary>
    public Task WaitForActiveSilosAsync(int count, TimeSpan timeout) =>
        Poll.UntilAsync(
            () => Task.FromResult(Silos.Count == count && Silos.All(s => Service<BucketMapProvider>(s).Current.Nodes.Count == count)),
            timeout,
            $"every silo sees {count} active silos");

    /// <summary>Describes where bucket <paramref name="bucket"/>'s copies are active and how far each got, for failure messages.</summary>
    public async Task<string> DescribeBucketAsync(int bucket)
    {
        var map = ExpectedMap;
        var text = new System.Text.StringBuilder($"Bucket {bucket}; the map names");
        for (int rank = 0; rank < map.Copies; rank++)
        {
            text.Append($" {map.GetNode(bucket, rank)}");
        }

        foreach (var silo in Silos)
        {
            var catalog = Catalog(silo);
            text.Append($"; {silo.Name} holds primary {catalog.Primaries.Contains(bucket)}, replicas [");
            text.Append(string.Join(",", Enumerable.Range(1, Options.ReplicationFactor - 1).Where(r => catalog.Replicas.Contains(ReplicaKey.Create(bucket, r)))));
            text.Append(']');
        }

        text.Append($"; sequence of the primary {await Cluster.Client.GetGrain<IBucketGrain>(bucket).GetSequenceAsync()}");
        for (int rank = 1; rank < Options.ReplicationFactor; rank++)
        {
            // A rank the map does not place cannot be activated to ask; say so rather than fail the description.
            string sequence;
            try
            {
                sequence = $"{await Cluster.Client.GetGrain<IReplicaGrain>(ReplicaKey.Create(bucket, rank)).GetSequenceAsync()}";
            }
            catch (OrleansException e)
            {
                sequence = $"(not asked: {e.Message})";
            }

            text.Append($", replica {rank} {sequence}");
        }

        return text.ToString();
    }

    /// <summary>Returns a service of <paramref name="silo"/>.</summary>
    public static T Service<T>(InProcessSiloHandle silo) where T : notnull => (T)silo.ServiceProvider.GetService(typeof(T))!;

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();

    private static LocalBucketCatalog Catalog(InProcessSiloHandle silo) => Service<LocalBucketCatalog>(silo);
}
