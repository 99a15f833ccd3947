using Orleans.Serialization;

namespace OrleansCache.Silo.Membership;

/// <summary>
/// Where membership is decided under <c>CLUSTERING=gossip</c>. Each node gossips its view of the
/// cluster (every node it has heard of, starting from its linked node) with the table host and one
/// random peer every round, forever. One node, the host, keeps the authoritative Orleans membership
/// table; the others forward table calls to it and hold copies it pushes after every change. When the
/// host falls silent, the live node with the lowest <c>NODE_ID</c> takes over with the newest copy
/// any live node has, under a higher term.
/// </summary>
/// <remarks>
/// Limit: the host is chosen from each node's own view, so a network partition can leave each side
/// with a host of its own (split brain) until it heals, when the higher term wins and the other side's
/// changes are lost. PostgreSQL (<c>CLUSTERING=adonet</c>) has no such limit.
/// </remarks>
public sealed partial class GossipMembership : IDisposable
{
    private readonly GossipMembershipSettings _settings;
    private readonly GossipOptions _options;
    private readonly DeepCopier _copier;
    private readonly GossipTransport _transport;
    private readonly TimeProvider _time;
    private readonly ILogger<GossipMembership> _logger;
    private readonly NodeDirectory _directory;
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _tableLock = new();
    private readonly long _startedAt;
    private MembershipTableStore? _store;
    private TableCopy _copy;
    private bool _heardFromCluster;
    private Task? _loop;

    /// <summary>Creates the membership of one node; nothing runs until <see cref="Start"/>.</summary>
    public GossipMembership(
        GossipMembershipSettings settings,
        GossipOptions options,
        Serializer serializer,
        DeepCopier copier,
        TimeProvider time,
        ILogger<GossipMembership> logger)
    {
        _settings = settings;
        _options = options;
        _copier = copier;
        _time = time;
        _logger = logger;
        _transport = new GossipTransport(serializer, settings.HttpPort, options.CallTimeout);
        _directory = new NodeDirectory(new NodeHeartbeat(settings.NodeId, settings.Ip, time.GetUtcNow().UtcTicks, 0), options.FailAfter, time);
        _copy = new TableCopy(0, new MembershipTableData(new TableVersion(0, "0.0")));
        _startedAt = time.GetTimestamp();
        _heardFromCluster = settings.LinkedIp is null;
    }

    /// <summary>The node's view of the cluster.</summary>
    public NodeDirectory Directory => _directory;

    /// <summary>Whether this node hosts the authoritative table now.</summary>
    public bool IsHost => _directory.Leader?.NodeId == _settings.NodeId && _store is not null;

    /// <summary>Starts gossiping (idempotent).</summary>
    public void Start()
    {
        lock (_tableLock)
        {
            _loop ??= Task.Run(() => RunAsync(_stopping.Token));
        }
    }

    /// <summary>Completes once this node knows a live table host, or fails if the cluster refused it.</summary>
    public Task WaitUntilJoinedAsync(CancellationToken cancellationToken)
    {
        Start();
        return _joined.Task.WaitAsync(_options.JoinTimeout, cancellationToken);
    }

    /// <summary>Runs a membership table call on the host, forwarding it if that is another node.</summary>
    public async Task<TableResponse> ExecuteAsync(TableRequest request, CancellationToken cancellationToken)
    {
        await WaitUntilJoinedAsync(cancellationToken);
        for (int attempt = 0; ; attempt++)
        {
            var leader = _directory.Leader ?? throw new OrleansException("No membership table host is known yet.");
            if (leader.NodeId == _settings.NodeId)
            {
                var local = ExecuteLocally(request);
                if (local.NotLeader is null || attempt >= 2)
                {
                    return local;
                }

                continue;
            }

            var ip = _directory.AddressOf(leader.NodeId) ?? throw new OrleansException($"The address of membership host {leader.NodeId} is unknown.");
            TableResponse response;
            try
            {
                response = await _transport.TableAsync(ip, request, cancellationToken);
            }
            catch (HttpRequestException e) when (attempt < 2)
            {
                // The host is unreachable: wait a few rounds for another to take over, then ask that one,
                // rather than fail and leave Orleans to retry after its own (randomized, 1 s+) backoff.
                MarkIfRefused(ip, e);
                await WaitForNewHostAsync(leader, cancellationToken);
                continue;
            }

            if (response.NotLeader is null || attempt >= 2)
            {
                return response;
            }

            // The node asked has seen a newer host: learn of it and ask that one.
            _directory.Merge([], response.NotLeader);
        }
    }

    private async Task WaitForNewHostAsync(LeaderClaim old, CancellationToken cancellationToken)
    {
        var deadline = _time.GetTimestamp() + (long)(_options.FailAfter.TotalSeconds * 2 * _time.TimestampFrequency);
        while (_directory.Leader == old && _time.GetTimestamp() < deadline)
        {
            await Task.Delay(_options.Interval / 5, _time, cancellationToken);
        }
    }

    /// <summary>Serves a table call from another node (or this one).</summary>
    public TableResponse ExecuteLocally(TableRequest request)
    {
        MembershipTableStore? store;
        LeaderClaim? leader = _directory.Leader;
        lock (_tableLock)
        {
            store = leader?.NodeId == _settings.NodeId ? _store : null;
        }

        if (store is null)
        {
            return new TableResponse(false, null, leader ?? new LeaderClaim(0, string.Empty));
        }

        bool changed = false;
        var response = request.Operation switch
        {
            TableOperation.ReadAll => new TableResponse(true, store.ReadAll(), null),
            TableOperation.ReadRow => new TableResponse(true, store.ReadRow(request.Silo!), null),
            TableOperation.InsertRow => new TableResponse(changed = store.Insert(request.Entry!, request.Version!), null, null),
            TableOperation.UpdateRow => new TableResponse(changed = store.Update(request.Entry!, request.ETag!, request.Version!), null, null),
            TableOperation.UpdateIAmAlive => Done(() => store.UpdateIAmAlive(request.Entry!)),
            TableOperation.CleanupDefunct => new TableResponse(changed = store.CleanupDefunct(request.Before), null, null),
            TableOperation.DeleteAll => Done(() => { store.Clear(); changed = true; }),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Operation, "Unknown table operation."),
        };

        if (changed)
        {
            PublishCopy(leader!.Term, store);
        }

        return response;

        static TableResponse Done(Action action)
        {
            action();
            return new TableResponse(true, null, null);
        }
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

        _directory.Merge([digest.From, .. digest.Members], digest.Leader);
        return Digest();
    }

    /// <summary>Returns this node's table copy.</summary>
    public TableCopy GetCopy()
    {
        lock (_tableLock)
        {
            return _copy;
        }
    }

    /// <summary>Takes a table copy pushed by the host, if it is newer than the one held.</summary>
    public void OnCopy(TableCopy copy)
    {
        lock (_tableLock)
        {
            if (copy.Term > _copy.Term || (copy.Term == _copy.Term && copy.Data.Version.Version > _copy.Data.Version.Version))
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
        await Task.WhenAll(peers.Select(ip => ExchangeAsync(ip, farewell.Token)));
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
    public void Dispose()
    {
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

        // Always the host, so a dead host is noticed from direct silence, not relayed news; plus one
        // random peer (the linked node until the cluster has answered once) so views converge.
        var peers = new HashSet<string>(StringComparer.Ordinal);
        if (!_heardFromCluster && _settings.LinkedIp is { } linked)
        {
            peers.Add(linked);
        }

        if (_directory.Leader is { } leader && leader.NodeId != _settings.NodeId && _directory.AddressOf(leader.NodeId) is { } leaderIp)
        {
            peers.Add(leaderIp);
        }

        var others = _directory.All().Where(n => n.NodeId != _settings.NodeId).ToList();
        if (others.Count > 0)
        {
            // Mostly live peers; now and then a silent one, so a healed partition rejoins.
            var alive = others.Where(n => _directory.IsAlive(n.NodeId)).ToList();
            var pool = alive.Count > 0 && random.Next(8) != 0 ? alive : others;
            peers.Add(pool[random.Next(pool.Count)].Ip);
        }

        await Task.WhenAll(peers.Select(ip => ExchangeAsync(ip, cancellationToken)));
        await ElectAsync(cancellationToken);
        CheckJoined();
    }

    private async Task ExchangeAsync(string ip, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await _transport.ExchangeAsync(ip, Digest(), cancellationToken);
            if (Refusal(reply) is { } reason)
            {
                LogIgnoredPeer(_logger, ip, reason);
                return;
            }

            _heardFromCluster = true;
            _directory.Merge([reply.From, .. reply.Members], reply.Leader);
            if (reply.TableVersion > GetCopy().Data.Version.Version && !IsHost)
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
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OrleansException && !cancellationToken.IsCancellationRequested)
        {
            LogExchangeFailed(_logger, ip, e.Message);
            MarkIfRefused(ip, e);
        }
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

    private async Task ElectAsync(CancellationToken cancellationToken)
    {
        var leader = _directory.Leader;
        if (leader is not null && _directory.IsAlive(leader.NodeId))
        {
            if (leader.NodeId != _settings.NodeId && _store is not null)
            {
                lock (_tableLock)
                {
                    _store = null; // A newer host won: stop answering as one.
                }

                LogSteppedDown(_logger, leader.NodeId, leader.Term);
            }

            if (leader.NodeId != _settings.NodeId || _store is not null)
            {
                return;
            }
        }

        // No live host. Wait until this node has heard from the cluster and its view has stopped
        // growing, then the lowest live NODE_ID takes over.
        bool settled = _heardFromCluster
            && _time.GetElapsedTime(_startedAt) >= _options.Settle
            && _directory.SinceLastNewNode >= _options.Settle;
        if (!settled || _directory.Alive()[0].NodeId != _settings.NodeId)
        {
            return;
        }

        await TakeOverAsync((leader?.Term ?? 0) + 1, cancellationToken);
    }

    private async Task TakeOverAsync(long term, CancellationToken cancellationToken)
    {
        // Adopt the newest copy any live node holds: the old host pushed each change to all of them.
        var copies = await Task.WhenAll(_directory.Alive()
            .Where(n => n.NodeId != _settings.NodeId)
            .Select(async n =>
            {
                try
                {
                    return await _transport.GetCopyAsync(n.Ip, cancellationToken);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return null;
                }
            }));

        var best = GetCopy();
        foreach (var copy in copies)
        {
            if (copy is not null && (copy.Term > best.Term || (copy.Term == best.Term && copy.Data.Version.Version > best.Data.Version.Version)))
            {
                best = copy;
            }
        }

        var store = new MembershipTableStore(term, best.Term == 0 && best.Data.Members.Count == 0 ? null : best.Data, _copier);
        lock (_tableLock)
        {
            _store = store;
        }

        _directory.ClaimLeadership(term);
        LogTookOver(_logger, term, best.Data.Version.Version, best.Data.Members.Count);
        PublishCopy(term, store);
    }

    private void CheckJoined()
    {
        if (_joined.Task.IsCompleted)
        {
            return;
        }

        var leader = _directory.Leader;
        if (leader is not null && (leader.NodeId == _settings.NodeId ? _store is not null : _directory.IsAlive(leader.NodeId)))
        {
            LogJoined(_logger, leader.NodeId, leader.Term);
            _joined.TrySetResult();
        }
    }

    private void PublishCopy(long term, MembershipTableStore store)
    {
        var copy = new TableCopy(term, store.ReadAll());
        OnCopy(copy);
        foreach (var node in _directory.Alive())
        {
            if (node.NodeId != _settings.NodeId)
            {
                _ = PushAsync(node.Ip, copy);
            }
        }
    }

    private async Task PushAsync(string ip, TableCopy copy)
    {
        try
        {
            await _transport.PushCopyAsync(ip, copy, _stopping.Token);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException)
        {
            LogExchangeFailed(_logger, ip, e.Message); // Gossip's anti-entropy pull repairs a missed push.
        }
    }

    private GossipDigest Digest() =>
        new(_settings.ClusterId, _settings.Buckets, _directory.Self, _directory.All(), _directory.Leader, GetCopy().Data.Version.Version);

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

        return _directory.Conflict(digest.From);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Joined the cluster; membership table host is {NodeId} (term {Term})")]
    private static partial void LogJoined(ILogger logger, string nodeId, long term);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Now hosting the membership table (term {Term}), from a copy at version {Version} with {Rows} rows")]
    private static partial void LogTookOver(ILogger logger, long term, int version, int rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped hosting the membership table: {NodeId} hosts it in term {Term}")]
    private static partial void LogSteppedDown(ILogger logger, string nodeId, long term);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused node {NodeId} at {Ip}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string nodeId, string ip, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignored the node at {Ip}: {Reason}")]
    private static partial void LogIgnoredPeer(ILogger logger, string ip, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Gossip with {Ip} failed: {Reason}")]
    private static partial void LogExchangeFailed(ILogger logger, string ip, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A gossip round failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
