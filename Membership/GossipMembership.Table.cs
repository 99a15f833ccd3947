namespace OrleansCache.Membership;

/// <summary>
/// The Orleans membership table under gossip: forwarded to the host this node follows, served by the
/// host, and copied to every member after each change.
/// </summary>
public sealed partial class GossipMembership
{
    /// <summary>Runs a membership table call on the host this node follows, forwarding it if that is another node.</summary>
    public async Task<TableResponse> ExecuteAsync(TableRequest request, CancellationToken cancellationToken)
    {
        await WaitUntilJoinedAsync(cancellationToken);
        if (!_leaving)
        {
            return await ExecuteOnHostAsync(request, attempts: 3, cancellationToken);
        }

        // A node leaving its cluster stops its silo next, and Orleans' stop retries its last status writes for
        // up to MaxJoinAttemptTime (5 min) while the old host may be gone already (it left first; leaving nodes
        // elect no other). Measured: a yielding node's stop hung there for minutes. The cluster it leaves is
        // dissolving or has declared it dead: when the host cannot serve, answer from this node's copy and
        // take the writes as done, so the stop goes on.
        try
        {
            var response = await ExecuteOnHostAsync(request, attempts: 1, cancellationToken);
            if (response.NotLeader is null)
            {
                return response;
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidDataException or OrleansException && !cancellationToken.IsCancellationRequested)
        {
            LogExchangeFailed(_logger, "the old membership host", e.Message);
        }

        return request.Operation is TableOperation.ReadAll or TableOperation.ReadRow
            ? new TableResponse(true, GetCopy().Data, null)
            : new TableResponse(true, null, null);
    }

    /// <summary>
    /// Stops this node from waiting on its membership host from now on: it is about to stop its silo and
    /// leave the cluster (see <see cref="ExecuteAsync"/>).
    /// </summary>
    public void PrepareToLeave() => _leaving = true;

    private async Task<TableResponse> ExecuteOnHostAsync(TableRequest request, int attempts, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            var host = _directory.Following ?? throw new OrleansException("No membership table host is known yet.");
            var addressed = request with { Claim = host };
            if (host.NodeId == _settings.NodeId)
            {
                var local = ExecuteLocally(addressed);
                if (local.NotLeader is null || attempt >= attempts)
                {
                    return local;
                }

                await WaitForNewHostAsync(host, cancellationToken);
                continue;
            }

            var ip = _directory.AddressOf(host.NodeId) ?? throw new OrleansException($"The address of membership host {host.NodeId} is unknown.");
            TableResponse response;
            try
            {
                response = await _transport.TableAsync(ip, addressed, cancellationToken);
            }
            catch (HttpRequestException e) when (attempt < attempts)
            {
                // The host is unreachable: wait a few rounds for another to take over, then ask that one,
                // rather than fail and leave Orleans to retry after its own (randomized, 1 s+) backoff.
                MarkIfRefused(ip, e);
                await WaitForNewHostAsync(host, cancellationToken);
                continue;
            }

            if (response.NotLeader is null || attempt >= attempts)
            {
                return response;
            }

            // The node asked no longer hosts this table: the gossip rounds decide whom to follow next.
            await WaitForNewHostAsync(host, cancellationToken);
        }
    }

    private async Task WaitForNewHostAsync(LeaderClaim old, CancellationToken cancellationToken)
    {
        var deadline = _time.GetTimestamp() + (long)(_options.FailAfter.TotalSeconds * 2 * _time.TimestampFrequency);
        while (_directory.Following == old && _time.GetTimestamp() < deadline)
        {
            await Task.Delay(_options.Interval / 5, _time, cancellationToken);
        }
    }

    /// <summary>Serves a table call from another node (or this one), if it is addressed to the table this node hosts.</summary>
    public TableResponse ExecuteLocally(TableRequest request)
    {
        MembershipTableStore? store;
        var following = _directory.Following;
        lock (_tableLock)
        {
            store = following?.NodeId == _settings.NodeId && (request.Claim is null || request.Claim == following) ? _store : null;
        }

        if (store is null)
        {
            return new TableResponse(false, null, following ?? LeaderClaim.None);
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
            PublishCopy(following!, store);
        }

        return response;

        static TableResponse Done(Action action)
        {
            action();
            return new TableResponse(true, null, null);
        }
    }

    /// <summary>
    /// Makes this node the host of <paramref name="claim"/>: a new cluster (term 1) or the next host of
    /// its own, starting from the newest copy of that cluster's table that any live member holds.
    /// </summary>
    private async Task HostAsync(LeaderClaim claim, LeaderClaim? previous, CancellationToken cancellationToken)
    {
        var best = GetCopy();
        if (previous is not null)
        {
            // Adopt the newest copy of the old host's table: it pushed each change to all its members.
            var members = _directory.MembersOf(previous).Where(n => n.NodeId != _settings.NodeId).ToList();
            var copies = await Task.WhenAll(members.Select(async n =>
            {
                try
                {
                    return await _transport.GetCopyAsync(n.Ip, cancellationToken);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidDataException)
                {
                    return null;
                }
            }));

            foreach (var copy in copies)
            {
                if (copy is not null && copy.Claim == previous && copy.IsNewerThan(best))
                {
                    best = copy;
                }
            }
        }

        bool fresh = previous is null || best.Claim is null;
        var store = new MembershipTableStore(claim.Term, fresh ? null : best.Data, _copier);
        lock (_tableLock)
        {
            _store = store;
        }

        _verdicts = [];
        _directory.Follow(claim);
        _hostSeen = claim;
        if (fresh)
        {
            LogFounded(_logger, claim.Term);
        }
        else
        {
            LogTookOver(_logger, claim.Term, best.Data.Version.Version, best.Data.Members.Count);
        }

        PublishCopy(claim, store);
    }

    /// <summary>Stops hosting (another host of this cluster won, or this node leaves the cluster).</summary>
    private void StopHosting()
    {
        lock (_tableLock)
        {
            _store = null;
        }
    }

    private void PublishCopy(LeaderClaim claim, MembershipTableStore store)
    {
        var copy = new TableCopy(claim, store.ReadAll());
        lock (_tableLock)
        {
            _copy = copy;
        }

        _publisher.Publish(copy, _directory.MembersOf(claim).Where(n => n.NodeId != _settings.NodeId).Select(n => n.Ip));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Founded a new cluster: this node hosts its membership table (term {Term})")]
    private static partial void LogFounded(ILogger logger, long term);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Now hosting the membership table (term {Term}), from a copy at version {Version} with {Rows} rows")]
    private static partial void LogTookOver(ILogger logger, long term, int version, int rows);
}
