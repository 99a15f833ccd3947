using Orleans.Serialization;

namespace OrleansCache.Membership;

/// <summary>
/// Where membership is decided under <c>CLUSTERING=gossip</c>. Each node gossips its view of the
/// cluster (every node it has heard of, and which table host each follows) with one random peer and, until
/// it answers, its linked node, and sends its table host a brief heartbeat (its own record, answered by the
/// host's), every round, forever. One node, the host, keeps the
/// authoritative Orleans membership table; the others forward table calls to it and hold copies it
/// pushes after every change. When the host falls silent, the live node with the lowest <c>NODE_ID</c>
/// takes over with the newest copy any live node has, under a higher term.
/// </summary>
/// <remarks>
/// <para>Formation does not depend on start order or timing: a node with a linked node never founds a
/// cluster before it has heard from another node, and keeps calling its link until that answers, so
/// every link of the link graph is eventually used.</para>
/// <para>Clusters that still meet (two founders, or a healed network partition) become one: see
/// <c>GossipMembership.Clusters.cs</c>. The losing cluster's nodes yield: they freeze writes, hand their
/// entries to an <see cref="IClusterYieldHandler"/>, which restarts the silo into the winning cluster and
/// merges them there.</para>
/// </remarks>
public sealed partial class GossipMembership : IDisposable
{
    private readonly GossipMembershipSettings _settings;
    private readonly GossipOptions _options;
    private readonly DeepCopier _copier;
    private readonly GossipTransport _transport;
    private readonly CopyPublisher _publisher;
    private readonly TimeProvider _time;
    private readonly ILogger<GossipMembership> _logger;
    private readonly NodeDirectory _directory;
    private readonly Func<SiloAddress?> _localSilo;
    private readonly IClusterYieldHandler? _yieldHandler;
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _tableLock = new();
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly long _startedAt;
    private MembershipTableStore? _store;
    private TableCopy _copy = TableCopy.None;
    private bool _heardFromCluster;
    private bool _reportedWaiting;
    private bool _linkFailed;
    private LeaderClaim? _hostSeen;
    private volatile bool _leaving;
    private Task? _loop;
    private int _disposed;

    /// <summary>Creates the membership of one node; nothing runs until <see cref="Start"/>.</summary>
    /// <param name="settings">Who the node is and whom it links to.</param>
    /// <param name="options">Timing.</param>
    /// <param name="serializer">Serializes the messages between nodes.</param>
    /// <param name="copier">Copies table rows in and out of the table store.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The log.</param>
    /// <param name="localSilo">This node's silo address once known (<see langword="null"/> without a silo, as in tests).</param>
    /// <param name="yieldHandler">What leaves this cluster for another when it must yield (none in tests).</param>
    public GossipMembership(
        GossipMembershipSettings settings,
        GossipOptions options,
        Serializer serializer,
        DeepCopier copier,
        TimeProvider time,
        ILogger<GossipMembership> logger,
        Func<SiloAddress?>? localSilo = null,
        IClusterYieldHandler? yieldHandler = null)
    {
        _settings = settings;
        _options = options;
        _copier = copier;
        _time = time;
        _logger = logger;
        _localSilo = localSilo ?? (() => null);
        _yieldHandler = yieldHandler;
        Authentication = new MembershipAuthentication(settings.ClusterSecret, time);
        Refusals = new RefusalLog(logger);
        _transport = new GossipTransport(serializer, settings, Authentication, Refusals, options.CallTimeout);
        _publisher = new CopyPublisher(_transport, logger, _stopping.Token);
        _directory = new NodeDirectory(new NodeHeartbeat(settings.NodeId, settings.Ip, time.GetUtcNow().UtcTicks, 0), options.FailAfter, time);
        _startedAt = time.GetTimestamp();
        _heardFromCluster = settings.LinkedIp is null;
        if (settings.Seed is { } seed)
        {
            // Rejoining another cluster after this node left its own (see Clusters): follow it from the
            // start, and call its nodes, which count as alive only once they answer.
            _directory.MergeSilent(seed.Peers);
            _directory.Follow(seed.Follow);
        }
    }

    /// <summary>The node's view of the cluster.</summary>
    public NodeDirectory Directory => _directory;

    /// <summary>Proves <c>CLUSTER_SECRET</c> on what this node sends and checks it on what it receives.</summary>
    public MembershipAuthentication Authentication { get; }

    /// <summary>Where refused membership traffic is logged, once per address.</summary>
    public RefusalLog Refusals { get; }

    /// <summary>Whether this node hosts the authoritative table now.</summary>
    public bool IsHost => _directory.Self.IsHost && _store is not null;

    /// <summary>Starts gossiping (idempotent).</summary>
    public void Start()
    {
        lock (_tableLock)
        {
            _loop ??= Task.Run(() => RunAsync(_stopping.Token));
        }
    }

    /// <summary>
    /// Completes once this node is in a cluster (it knows a live table host, or hosts the table), or fails
    /// if the cluster refused it. Waits as long as that takes: a node whose linked node is not up yet waits
    /// for it rather than found a cluster of its own.
    /// </summary>
    public Task WaitUntilJoinedAsync(CancellationToken cancellationToken)
    {
        Start();
        return _joined.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Answers another node's gossip; throws <see cref="GossipRejectedException"/> to refuse it.</summary>
    public GossipDigest OnGossip(GossipDigest digest)
    {
        if (Refusal(digest) is { } reason)
        {
            // Only a node that is part of a cluster speaks for it; two new nodes just ignore each other.
            if (_joined.Task.IsCompletedSuccessfully)
            {
                LogRefused(_logger, digest.From.NodeId, digest.From.Ip, reason);
                throw new GossipRejectedException(reason);
            }

            throw new OrleansException(reason);
        }

        // Being called is hearing from another node as much as calling is: a node waiting for its link may
        // be found first by others.
        _heardFromCluster = true;
        _directory.Merge([digest.From, .. digest.Members]);
        return Digest(digest.Brief);
    }

    /// <summary>Returns this node's copy of its cluster's table.</summary>
    public TableCopy GetCopy()
    {
        lock (_tableLock)
        {
            return _copy;
        }
    }

    /// <summary>Takes a table copy pushed by a host, if it is a newer copy of the table this node follows.</summary>
    public void OnCopy(TableCopy copy)
    {
        lock (_tableLock)
        {
            // Only the followed host's table: a copy from another cluster (or the other side of a split)
            // would make this node take that cluster's rows for its own.
            if (copy.Claim is not null && copy.Claim == _directory.Following && copy.IsNewerThan(_copy))
            {
                _copy = copy;
            }
        }
    }

    /// <summary>
    /// Tells every live peer this node is leaving (so a host is replaced at once, not after the failure
    /// timeout), then stops gossiping. Call once the silo has stopped: it needs the table until then.
    /// </summary>
    public async Task LeaveAsync()
    {
        _directory.Leave();
        using var farewell = new CancellationTokenSource(_options.CallTimeout);
        var peers = _directory.Alive().Where(n => n.NodeId != _settings.NodeId).Select(n => n.Ip).ToList();
        await Task.WhenAll(peers.Select(ip => ExchangeAsync(ip, brief: true, farewell.Token)));
        await StopAsync();
    }

    /// <summary>Stops gossiping.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <inheritdoc />
    /// <remarks>Idempotent: the container disposes it once per service type it is registered as.</remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _transport.Dispose();
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, _time);
        var random = new Random();
        try
        {
            do
            {
                try
                {
                    await RoundAsync(random, cancellationToken);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    LogRoundFailed(_logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task RoundAsync(Random random, CancellationToken cancellationToken)
    {
        _directory.Beat();
        _directory.Prune(_options.ForgetAfter);

        // The host, so a dead host is noticed from direct silence, not relayed news: a brief heartbeat each
        // way, since the host hears from every node every round (whole views there would be n views of n
        // records per round through one node: docs/scale.md measures it). One random peer, whole views, so
        // views converge (now and then a silent one, so a healed partition or a cluster formed apart is
        // found again); and the linked node, whole views, for as long as it is not a live member, so a node
        // whose link came up late is still found. Value: whether the exchange is brief.
        var peers = new Dictionary<string, bool>(StringComparer.Ordinal);
        if (_directory.Following is { } host && host.NodeId != _settings.NodeId && _directory.AddressOf(host.NodeId) is { } hostIp)
        {
            peers[hostIp] = true;
        }

        if (_settings.LinkedIp is { } linked && !IsLiveAddress(linked))
        {
            peers[linked] = false;
        }

        var others = _directory.All().Where(n => n.NodeId != _settings.NodeId).ToList();
        if (others.Count > 0)
        {
            var alive = others.Where(n => _directory.IsAlive(n.NodeId)).ToList();
            var pool = alive.Count > 0 && random.Next(8) != 0 ? alive : others;
            peers[pool[random.Next(pool.Count)].Ip] = false;
        }

        // Each exchange runs on its own; the round waits for them at most one interval, so a peer that does
        // not answer (a cut network drops packets: no refusal, only a timeout) never holds up this node's
        // heartbeat, which others would otherwise take for silence.
        var exchanges = new List<Task>(peers.Count);
        foreach (var (ip, brief) in peers)
        {
            if (TryStartExchange(ip, brief, cancellationToken) is { } exchange)
            {
                exchanges.Add(exchange);
            }
        }

        await Task.WhenAll(exchanges).WaitAsync(_options.Interval, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_directory.Following is { } followed && _directory.IsAlive(followed.NodeId))
        {
            _hostSeen = followed;
        }

        ReportWaiting();
        await DecideAsync(cancellationToken);
        CheckJoined();
    }

    private bool IsLiveAddress(string ip) => _directory.NodeAt(ip) is { } id && _directory.IsAlive(id);

    private Task? TryStartExchange(string ip, bool brief, CancellationToken cancellationToken)
    {
        lock (_inFlight)
        {
            if (!_inFlight.Add(ip))
            {
                return null;
            }
        }

        return Task.Run(async () =>
        {
            try
            {
                await ExchangeAsync(ip, brief, cancellationToken);
            }
            finally
            {
                lock (_inFlight)
                {
                    _inFlight.Remove(ip);
                }
            }
        }, CancellationToken.None);
    }

    // Returns whether the node at ip answered as a member of this node's kind (same cluster id and settings).
    private async Task<bool> ExchangeAsync(string ip, bool brief, CancellationToken cancellationToken)
    {
        bool answered = false;
        try
        {
            var reply = await _transport.ExchangeAsync(ip, Digest(brief), cancellationToken);
            if (Refusal(reply) is { } reason)
            {
                LogIgnoredPeer(_logger, ip, reason);
                return false;
            }

            _heardFromCluster = true;
            _directory.Merge([reply.From, .. reply.Members]);
            answered = true;
            if (reply.From.Following is { } theirs && theirs == _directory.Following && !IsHost
                && reply.TableVersion > GetCopy().Data.Version.Version)
            {
                OnCopy(await _transport.GetCopyAsync(ip, cancellationToken));
            }
        }
        catch (GossipRejectedException e)
        {
            if (!_joined.Task.IsCompleted)
            {
                _joined.TrySetException(new InvalidOperationException($"The cluster at {ip} refused this node: {e.Message}"));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OrleansException or InvalidDataException && !cancellationToken.IsCancellationRequested)
        {
            LogExchangeFailed(_logger, ip, e.Message);
            MarkIfRefused(ip, e);
            _linkFailed |= ip == _settings.LinkedIp;
        }

        return answered;
    }

    // A refused connection means nothing listens at that address any more: the node is gone (kill -9
    // leaves no farewell). Taking it for dead at once lets a dead table host be replaced in one round
    // (250 ms) instead of after the 2 s silence; measured, that silence plus Orleans' retry backoff made
    // a dead host's death take up to 5.1 s to declare.
    private void MarkIfRefused(string ip, Exception e)
    {
        if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError, InnerException: System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused } }
            && _directory.NodeAt(ip) is { } nodeId)
        {
            _directory.MarkUnreachable(nodeId);
        }
    }

    // Says once what a node that cannot join yet is waiting for, so an operator can tell a slow start from
    // a wrong LINKED_NODE_IP.
    private void ReportWaiting()
    {
        if (_reportedWaiting || _heardFromCluster || !_linkFailed || _time.GetElapsedTime(_startedAt) < _options.Settle)
        {
            return;
        }

        _reportedWaiting = true;
        LogWaitingForLink(_logger, _settings.LinkedId ?? "?", _settings.LinkedIp ?? "?");
    }

    private void CheckJoined()
    {
        if (_joined.Task.IsCompleted)
        {
            return;
        }

        var following = _directory.Following;
        if (following is not null && (following.NodeId == _settings.NodeId ? _store is not null : _directory.IsAlive(following.NodeId)))
        {
            LogJoined(_logger, following.NodeId, following.Term);
            _joined.TrySetResult();
        }
    }

    private GossipDigest Digest(bool brief) =>
        new(_settings.ClusterId, _settings.Buckets, _directory.Self, brief ? [] : _directory.All(), GetCopy().Data.Version.Version)
        {
            KeyPlacement = GossipDigest.SlotPlacement,
            Brief = brief,
        };

    private string? Refusal(GossipDigest digest)
    {
        if (digest.ClusterId != _settings.ClusterId)
        {
            return $"CLUSTER_ID differs: the node at {digest.From.Ip} has '{digest.ClusterId}', this cluster '{_settings.ClusterId}'.";
        }

        if (digest.Buckets != _settings.Buckets)
        {
            return $"BUCKETS differs: the node at {digest.From.Ip} has {digest.Buckets}, this cluster {_settings.Buckets}; BUCKETS is fixed for the life of a cluster.";
        }

        if (digest.KeyPlacement != GossipDigest.SlotPlacement)
        {
            // Every key would be looked for in another bucket: a cluster of both versions would answer misses.
            return $"the node at {digest.From.Ip} places keys by an earlier version's hash (XxHash64), this cluster by Redis's slots; restart the whole cluster on one version.";
        }

        return _directory.Conflict(digest.From);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Joined the cluster; membership table host is {NodeId} (term {Term})")]
    private static partial void LogJoined(ILogger logger, string nodeId, long term);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waiting for linked node {LinkedId} at {LinkedIp}: it does not answer yet. This node does not start a cluster of its own; it joins as soon as its linked node, or any node of the cluster, answers or calls it")]
    private static partial void LogWaitingForLink(ILogger logger, string linkedId, string linkedIp);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused node {NodeId} at {Ip}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string nodeId, string ip, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignored the node at {Ip}: {Reason}")]
    private static partial void LogIgnoredPeer(ILogger logger, string ip, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Gossip with {Ip} failed: {Reason}")]
    private static partial void LogExchangeFailed(ILogger logger, string ip, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A gossip round failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
