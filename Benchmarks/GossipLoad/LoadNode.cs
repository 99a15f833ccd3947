using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Orleans.Serialization;
using OrleansCache.Membership;
using OrleansCache.Silo.Apis;

namespace OrleansCache.Benchmarks.GossipLoad;

/// <summary>
/// One gossip-only node: the real <see cref="GossipMembership"/> behind a slim web host on the node's own loopback
/// address, serving the node-to-node routes as a cache node does, and in place of a silo a loop that uses the
/// membership table as Orleans' membership does on one of our silos.
/// </summary>
internal sealed partial class LoadNode
{
    // Orleans' membership reads the whole table every TableRefreshTimeout (5 s on our silos:
    // CacheNodeHostingExtensions.ConfigureFailureDetection) and writes the silo's IAmAliveTime every
    // IAmAliveTablePublishTimeout (Orleans' default, 30 s, which we keep): one write every sixth read.
    private static readonly TimeSpan ReadAllEvery = TimeSpan.FromSeconds(5);
    private const int ReadsPerIAmAlive = 6;

    private readonly GossipMembershipTable _table;
    private readonly MembershipEntry _entry;
    private readonly ILogger _logger;
    private long _errors;
    private volatile bool _ready;

    private LoadNode(string nodeId, WebApplication app, MembershipEntry entry)
    {
        NodeId = nodeId;
        _entry = entry;
        Membership = app.Services.GetRequiredService<GossipMembership>();
        _table = new GossipMembershipTable(Membership);
        _logger = app.Services.GetRequiredService<ILogger<LoadNode>>();
    }

    /// <summary>The node's <c>NODE_ID</c>.</summary>
    public string NodeId { get; }

    /// <summary>The node's membership.</summary>
    public GossipMembership Membership { get; }

    /// <summary>Whether the node's silo row is in the table as Active.</summary>
    public bool Ready => _ready;

    /// <summary>Table calls that failed (the host changing, a timeout), and a join the cluster refused.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>
    /// Starts the node at <paramref name="ip"/>, linked to <paramref name="linkedIp"/> (none for the founder),
    /// counting what it serves in <paramref name="traffic"/>; its silo stand-in joins the table once the node is
    /// in a cluster, and runs until <paramref name="stopping"/> is cancelled.
    /// </summary>
    public static async Task<LoadNode> StartAsync(
        string nodeId, string ip, string? linkedIp, string clusterId, ServedTraffic traffic, CancellationToken stopping)
    {
        var address = IPAddress.Parse(ip);
        var silo = SiloAddress.New(new IPEndPoint(address, 11111), 1);
        // No file watcher per node for an appsettings.json it does not read: a watcher is an inotify instance,
        // and a user has 128 of them by default (n=200 stopped at the 128th node of its processes).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });

        // Nothing from the environment or an appsettings.json in the working directory: ASPNETCORE_URLS would add
        // a listener, a log level would change the work the nodes do.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new StderrLoggerProvider(nodeId));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, AddressPlan.HttpPort));
        builder.Services.AddSingleton<IHostLifetime, ProcessWideLifetime>();
        builder.Services.AddSerializer(serializer => serializer
            .AddAssembly(typeof(GossipMembership).Assembly)
            .AddAssembly(typeof(MembershipEntry).Assembly));
        builder.Services.AddSingleton<ILocalSiloDetails>(new StandInSilo(nodeId, clusterId, silo));
        builder.Services.AddGossipMembership(new GossipMembershipSettings(nodeId, ip, linkedIp, AddressPlan.HttpPort, clusterId, 1024));

        var app = builder.Build();
        app.Use(traffic.CountAsync);
        app.MapGossipMembership();
        await app.StartAsync(stopping);

        var entry = new MembershipEntry
        {
            SiloAddress = silo,
            Status = SiloStatus.Active,
            SiloName = nodeId,
            HostName = ip,
            StartTime = DateTime.UtcNow,
            IAmAliveTime = DateTime.UtcNow,
        };
        var node = new LoadNode(nodeId, app, entry);
        _ = Task.Run(() => node.RunSiloAsync(stopping), CancellationToken.None);
        return node;
    }

    private async Task RunSiloAsync(CancellationToken stopping)
    {
        try
        {
            await Membership.WaitUntilJoinedAsync(stopping);
            await InsertAsync(stopping);
            _ready = true;

            // Silos start at different moments: a random phase keeps a hundred nodes from reading in step.
            await Task.Delay(Random.Shared.Next((int)ReadAllEvery.TotalMilliseconds), stopping);
            using var timer = new PeriodicTimer(ReadAllEvery);
            for (long tick = 1; await timer.WaitForNextTickAsync(stopping); tick++)
            {
                try
                {
                    await _table.ReadAll();
                    if (tick % ReadsPerIAmAlive == 0)
                    {
                        _entry.IAmAliveTime = DateTime.UtcNow;
                        await _table.UpdateIAmAlive(_entry);
                    }
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _errors);
                    LogTableCallFailed(_logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The child is stopping.
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _errors);
            LogSiloFailed(_logger, e);
        }
    }

    // Many nodes insert at once, each at the version it read, so most attempts lose to another's insert and try
    // again at the new version, as Orleans' own join does.
    private async Task InsertAsync(CancellationToken stopping)
    {
        while (true)
        {
            try
            {
                var table = await _table.ReadAll();
                foreach (var (row, _) in table.Members)
                {
                    if (row.SiloAddress.Equals(_entry.SiloAddress))
                    {
                        return; // An earlier attempt's insert landed, though its answer did not.
                    }
                }

                if (await _table.InsertRow(_entry, table.Version.Next()))
                {
                    return;
                }
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                Interlocked.Increment(ref _errors);
                LogTableCallFailed(_logger, e.Message);
            }

            await Task.Delay(Random.Shared.Next(50, 500), stopping);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A membership table call failed: {Reason}")]
    private static partial void LogTableCallFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The silo stand-in stopped: it could not join")]
    private static partial void LogSiloFailed(ILogger logger, Exception exception);
}
