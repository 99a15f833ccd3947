using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Membership;

/// <summary>
/// Which cluster a node is in, decided after every gossip round: join one, found one, follow a new host
/// of its own, or — when two clusters meet — which one yields to the other.
/// </summary>
/// <remarks>
/// <para>Every table host's claim has a rank that all nodes compute alike (<see cref="LeaderClaim.Beats"/>):
/// the older cluster first, and within one cluster the newer term. A node that follows no cluster yet
/// joins the first-ranked live one, or, when none is live, the lowest <c>NODE_ID</c> among the nodes
/// that follow none founds one.</para>
/// <para>A node already in a cluster moves to a higher-ranked host only quietly: when that host's table is a
/// later state of its own (its own silo alive there, and no silo it knows dead alive again), as after the
/// old host died and another took over from its copy. Otherwise two clusters have met — formed apart,
/// or split by a partition and each side declared the other dead — and Orleans cannot join them: a silo
/// declared dead must never come back. The host of the higher-ranked claim decides, alone, which of the
/// two yields: the one with fewer active silos, the lower-ranked one on a tie (Hazelcast's rule: the
/// smaller cluster merges into the larger). It publishes the verdict in its heartbeat; every node of the
/// losing cluster then freezes writes, waits (briefly) until its cluster-mates have too, and hands its
/// entries to the <see cref="IClusterYieldHandler"/>, which restarts the silo into the winning cluster
/// and merges them there by <c>MERGE_POLICY</c>.</para>
/// </remarks>
public sealed partial class GossipMembership
{
    // How long a cluster that lost a merge stays defeated: nodes of it that missed the verdict and chose a
    // new host of their own meanwhile lose again at once, without a second wait.
    private static readonly TimeSpan DefeatLasts = TimeSpan.FromMinutes(1);

    private readonly Dictionary<LeaderClaim, long> _metAt = [];
    private readonly Dictionary<(long FoundedAt, string Founder), long> _defeated = [];
    private IReadOnlyList<MergeVerdict> _verdicts = [];
    private YieldState? _yield;

    /// <summary>
    /// The nodes this node hears of that follow another cluster than its own (a partition healed, or two
    /// clusters that met), for the cache to report; empty while all agree.
    /// </summary>
    public IReadOnlyList<OutsideNode> NodesOutside()
    {
        var following = _directory.Following;
        if (following is null)
        {
            return [];
        }

        return _directory.Alive()
            .Where(n => n.Following is not null && n.Following != following)
            .Select(n => new OutsideNode(n.NodeId, n.Ip, n.Following!.NodeId, n.YieldingTo is not null))
            .ToList();
    }

    /// <summary>Where a new silo of this node would start to rejoin the cluster it is in now, if any.</summary>
    public GossipSeed? CurrentSeed() =>
        _directory.Following is { } following ? new GossipSeed(following, _directory.MembersOf(following)) : null;

    /// <summary>The cluster this node is yielding to, while it does.</summary>
    public LeaderClaim? YieldingTo => _yield?.Winner;

    private async Task DecideAsync(CancellationToken cancellationToken)
    {
        if (_directory.Self.Leaving)
        {
            return; // Stopping: it says goodbye and decides nothing more.
        }

        if (_yield is not null)
        {
            await ContinueYieldAsync();
            return;
        }

        var following = _directory.Following;
        var live = _directory.LiveClaims();
        var verdicts = _directory.Verdicts();
        if (following is not null && verdicts.FirstOrDefault(v => v.Loser == following) is { } verdict)
        {
            BeginYield(following, verdict.Winner, coordinated: true, $"its cluster ({following}) met {verdict.Winner}'s, which has more active nodes or ranks first");
            return;
        }

        LeaderClaim? best = null;
        foreach (var claim in live)
        {
            if (claim.Beats(best) && !verdicts.Any(v => v.Loser == claim))
            {
                best = claim;
            }
        }

        if (following is null)
        {
            if (best is not null)
            {
                await TrySwitchAsync(null, best, cancellationToken);
            }
            else if (MayFound())
            {
                var self = _settings.NodeId;
                await HostAsync(new LeaderClaim(1, self, _time.GetUtcNow().UtcTicks, self), previous: null, cancellationToken);
            }

            return;
        }

        bool followingLive = live.Contains(following);
        if (best is not null && best != following && best.Beats(following) && (followingLive || best.SameLineage(following)))
        {
            var outcome = await TrySwitchAsync(following, best, cancellationToken);
            if (outcome is Switch.Done or Switch.Unknown)
            {
                return; // Switched, or the new host did not answer: ask again next round.
            }

            if (!followingLive)
            {
                // This node's host is gone and its successor's table does not have this node's silo alive:
                // the cluster declared it dead meanwhile. It can only come back as a new silo.
                BeginYield(following, best, coordinated: false, $"its cluster's new table host, {best}, lists this node's silo as dead, or as still joining after it became active");
                return;
            }

            // Two live clusters: the host of the first-ranked one decides which yields (JudgeAsync).
        }

        if (!followingLive)
        {
            if (_hostSeen is null && _settings.Seed?.Follow == following && _time.GetElapsedTime(_startedAt) > _options.RejoinTimeout)
            {
                // The cluster this node left to join has not answered for a long time: find one as at start.
                LogRejoinGaveUp(_logger, following.ToString(), _options.RejoinTimeout.TotalSeconds);
                _directory.Follow(null);
                return;
            }

            if (MayTakeOver(following) && !await LowerMateAnswersAsync(following, cancellationToken))
            {
                var next = following with { Term = following.Term + 1, NodeId = _settings.NodeId };
                await HostAsync(next, following, cancellationToken);
            }

            return;
        }

        if (IsHost)
        {
            await JudgeAsync(following, live, cancellationToken);
        }
    }

    // The lowest NODE_ID among nodes in no cluster founds one, once it has heard from another node (or has
    // no link) and its view has stopped growing: nodes started together learn of each other first. A
    // lower node counts for a while after it falls silent: on a starved machine a live node can miss the
    // failure timeout, and two founders would cost a merge.
    private bool MayFound()
    {
        if (!_heardFromCluster || !Settled())
        {
            return false;
        }

        var unaffiliated = _directory.HeardWithin(_options.FoundAfterSilence).Where(n => n.Following is null && n.YieldingTo is null).ToList();
        return unaffiliated.Count > 0 && unaffiliated[0].NodeId == _settings.NodeId;
    }

    // The lowest NODE_ID among the live nodes of a cluster whose host is gone takes over; only a node that
    // has heard from a host of that cluster itself, not one told of it (rejoining) that hears nothing yet.
    private bool MayTakeOver(LeaderClaim following)
    {
        if (!Settled() || _hostSeen is null || !_hostSeen.SameLineage(following))
        {
            return false;
        }

        var mates = _directory.Alive().Where(n => n.Following is { } f && f.SameLineage(following) && n.YieldingTo is null).ToList();
        return mates.Count > 0 && mates[0].NodeId == _settings.NodeId;
    }

    // Before it takes over, a node asks the mates below it that it heard from lately whether they are still
    // there: its view of them may be stale while the host's silence is fresh. Seen with 200 gossip-only nodes
    // starting on 2 cores (scripts/bench-gossip.sh): starved members missed the host, a dozen of them each
    // took itself for the lowest live mate, and the cluster split into as many. A mate that answers is alive
    // again in this node's view, and the lowest live one takes over in a later round.
    private async Task<bool> LowerMateAnswersAsync(LeaderClaim following, CancellationToken cancellationToken)
    {
        var lower = _directory.HeardWithin(_options.FoundAfterSilence)
            .Where(n => string.CompareOrdinal(n.NodeId, _settings.NodeId) < 0 && n.NodeId != following.NodeId
                && n.Following is { } f && f.SameLineage(following) && n.YieldingTo is null)
            .ToList();
        if (lower.Count == 0)
        {
            return false;
        }

        var answers = await Task.WhenAll(lower.Select(n => ExchangeAsync(n.Ip, brief: true, cancellationToken)));
        return answers.Contains(true);
    }

    private bool Settled() =>
        _time.GetElapsedTime(_startedAt) >= _options.Settle && _directory.SinceLastNewNode >= _options.Settle;

    /// <summary>
    /// Follows <paramref name="candidate"/> instead of <paramref name="current"/> if this node can do so as
    /// the same silo: it has not joined a table yet, or the candidate's table is a later state of its own.
    /// </summary>
    private async Task<Switch> TrySwitchAsync(LeaderClaim? current, LeaderClaim candidate, CancellationToken cancellationToken)
    {
        TableCopy theirs;
        try
        {
            theirs = await FetchCopyAsync(candidate, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidDataException or OrleansException)
        {
            LogExchangeFailed(_logger, candidate.NodeId, e.Message);
            return Switch.Unknown;
        }

        var mine = GetCopy();
        var silo = _localSilo();
        bool joined = silo is not null && mine.Data.Members.Any(row => row.Item1.SiloAddress.Equals(silo));
        if (joined && (!IsAliveIn(theirs.Data, silo!) || LostActivation(mine.Data, theirs.Data, silo!) || Revives(mine.Data, theirs.Data)))
        {
            return Switch.Refused;
        }

        if (current?.NodeId == _settings.NodeId)
        {
            StopHosting();
            LogSteppedDown(_logger, candidate.NodeId, candidate.Term);
        }

        _directory.Follow(candidate);
        _hostSeen = candidate; // Its host is live: this node has heard from it (seeded peers are not live until heard).
        lock (_tableLock)
        {
            _copy = theirs.Claim == candidate ? theirs : new TableCopy(null, new MembershipTableData(new TableVersion(0, "0.0")));
        }

        if (current is not null && !current.SameLineage(candidate))
        {
            LogMovedCluster(_logger, candidate.ToString(), current.ToString());
        }

        return Switch.Done;
    }

    private Task<TableCopy> FetchCopyAsync(LeaderClaim claim, CancellationToken cancellationToken)
    {
        if (claim.NodeId == _settings.NodeId)
        {
            return Task.FromResult(GetCopy());
        }

        var ip = _directory.AddressOf(claim.NodeId) ?? throw new OrleansException($"The address of membership host {claim.NodeId} is unknown.");
        return _transport.GetCopyAsync(ip, cancellationToken);
    }

    // Whether `theirs` has alive a silo that `mine` has dead. Orleans never brings a dead silo back, so such a
    // table is not a later state of this node's cluster but another history (the other side of a split). A
    // silo alive in mine and dead in theirs is not: that is the cluster moving on (a death declared through
    // the new host), as after every takeover that follows a kill.
    private static bool Revives(MembershipTableData mine, MembershipTableData theirs)
    {
        foreach (var (row, _) in mine.Members)
        {
            if (row.Status == SiloStatus.Dead && IsAliveIn(theirs, row.SiloAddress))
            {
                return true;
            }
        }

        return false;
    }

    // Whether `theirs` has this node's silo still joining while `mine` has it active: a host that took over from
    // a copy older than this silo's activation. Orleans never moves a silo back to Joining, and one left so is
    // evicted only after MaxJoinAttemptTime (5 min); this node restarts its silo into that table instead.
    private static bool LostActivation(MembershipTableData mine, MembershipTableData theirs, SiloAddress silo) =>
        StatusIn(mine, silo) == SiloStatus.Active && StatusIn(theirs, silo) is SiloStatus.Joining or SiloStatus.Created;

    private static SiloStatus? StatusIn(MembershipTableData table, SiloAddress silo) =>
        table.Members.FirstOrDefault(row => row.Item1.SiloAddress.Equals(silo))?.Item1.Status;

    // Every active silo of `theirs` is alive in `mine`: its nodes can follow this table's host as they are.
    private static bool Covers(MembershipTableData mine, MembershipTableData theirs) =>
        theirs.Members.All(row => row.Item1.Status != SiloStatus.Active || IsAliveIn(mine, row.Item1.SiloAddress));

    private static bool IsAliveIn(MembershipTableData table, SiloAddress silo) =>
        table.Members.Any(row => row.Item1.SiloAddress.Equals(silo) && row.Item1.Status != SiloStatus.Dead);

    private static int ActiveSilos(MembershipTableData table) => table.Members.Count(row => row.Item1.Status == SiloStatus.Active);

    /// <summary>
    /// As the host of <paramref name="mine"/>, decides for every live lower-ranked cluster which of the two
    /// yields, and publishes the verdicts. A verdict stands until the losing cluster is gone.
    /// </summary>
    private async Task JudgeAsync(LeaderClaim mine, IReadOnlyList<LeaderClaim> live, CancellationToken cancellationToken)
    {
        var verdicts = new List<MergeVerdict>();
        var now = _time.GetTimestamp();
        foreach (var other in live)
        {
            if (other == mine || !mine.Beats(other))
            {
                continue;
            }

            if (_verdicts.FirstOrDefault(v => v.Loser == other || v.Winner == other) is { } standing)
            {
                verdicts.Add(standing);
                continue;
            }

            if (!mine.SameLineage(other) && _defeated.TryGetValue((other.FoundedAt, other.Founder), out long until) && now < until)
            {
                verdicts.Add(new MergeVerdict(other, mine));
                continue;
            }

            // Give a benign change of host time to settle by itself: the old host's members move to the new
            // one quietly within a round or two, and the old claim stops being live.
            _metAt.TryAdd(other, now);
            if (_time.GetElapsedTime(_metAt[other]) < _options.MergeAfter)
            {
                continue;
            }

            TableCopy theirs;
            try
            {
                theirs = await FetchCopyAsync(other, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidDataException or OrleansException)
            {
                LogExchangeFailed(_logger, other.NodeId, e.Message);
                continue;
            }

            var ours = GetCopy().Data;
            if (mine.SameLineage(other) && !Revives(ours, theirs.Data) && !Revives(theirs.Data, ours) && Covers(ours, theirs.Data))
            {
                continue; // One cluster between two hosts, not a split: its nodes switch to this host quietly.
            }

            int ourSize = ActiveSilos(ours);
            int theirSize = ActiveSilos(theirs.Data);
            var verdict = ourSize >= theirSize ? new MergeVerdict(other, mine) : new MergeVerdict(mine, other);
            LogClustersMet(_logger, other.ToString(), theirSize, ourSize, verdict.Loser.ToString(), verdict.Winner.ToString());
            verdicts.Add(verdict);
            if (verdict.Loser == other && !mine.SameLineage(other))
            {
                _defeated[(other.FoundedAt, other.Founder)] = now + (long)(DefeatLasts.TotalSeconds * _time.TimestampFrequency);
            }
        }

        foreach (var met in _metAt.Keys.Where(claim => !live.Contains(claim)).ToList())
        {
            _metAt.Remove(met);
        }

        if (!verdicts.SequenceEqual(_verdicts))
        {
            _verdicts = verdicts;
            _directory.Decide(verdicts);
        }
    }

    private void BeginYield(LeaderClaim from, LeaderClaim winner, bool coordinated, string reason)
    {
        _yield = new YieldState(from, winner, coordinated, reason, _time.GetTimestamp());
        PrepareToLeave();
        _directory.Yield(winner);
        LogYielding(_logger, reason, winner.ToString());
        if (_yieldHandler is null)
        {
            LogCannotYield(_logger);
            return;
        }

        _yieldHandler.Freeze(reason);
    }

    // The yielding nodes of one cluster freeze first and export after, so no node of the losing side
    // acknowledges a write after another has exported: the exports are the losing side's final state.
    private Task ContinueYieldAsync()
    {
        var state = _yield!;
        if (state.HandedOver || _yieldHandler is null)
        {
            return Task.CompletedTask;
        }

        if (state.Coordinated && _time.GetElapsedTime(state.Since) < _options.YieldCoordination)
        {
            foreach (var mate in _directory.MembersOf(state.From))
            {
                if (mate.YieldingTo != state.Winner)
                {
                    return Task.CompletedTask;
                }
            }
        }

        state.HandedOver = true;
        var seed = new GossipSeed(state.Winner, _directory.MembersOf(state.Winner));
        return Task.Run(async () =>
        {
            try
            {
                await _yieldHandler.YieldAsync(seed, state.Reason);
            }
            catch (Exception e)
            {
                LogYieldFailed(_logger, e);
            }
        });
    }

    private enum Switch
    {
        /// <summary>The node follows the candidate now.</summary>
        Done,

        /// <summary>The candidate's table is not a later state of this node's: it cannot follow it as the same silo.</summary>
        Refused,

        /// <summary>The candidate's table could not be read this round.</summary>
        Unknown,
    }

    private sealed class YieldState(LeaderClaim from, LeaderClaim winner, bool coordinated, string reason, long since)
    {
        public LeaderClaim From { get; } = from;

        public LeaderClaim Winner { get; } = winner;

        public bool Coordinated { get; } = coordinated;

        public string Reason { get; } = reason;

        public long Since { get; } = since;

        public bool HandedOver { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped hosting the membership table: {NodeId} hosts it in term {Term}")]
    private static partial void LogSteppedDown(ILogger logger, string nodeId, long term);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gave up rejoining the cluster of {Claim}: none of its nodes answered within {Seconds} s. Finding a cluster as at start")]
    private static partial void LogRejoinGaveUp(ILogger logger, string claim, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Moved to the cluster of {Claim} from that of {Previous} before joining either")]
    private static partial void LogMovedCluster(ILogger logger, string claim, string previous);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Clusters met: {Other} has {TheirSize} active silos, this one {OurSize}. Decided: the cluster of {Loser} yields to that of {Winner}")]
    private static partial void LogClustersMet(ILogger logger, string other, int theirSize, int ourSize, string loser, string winner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This node leaves its cluster: {Reason}. It stops taking writes, then restarts its silo into the cluster of {Winner} and merges its entries there")]
    private static partial void LogYielding(ILogger logger, string reason, string winner);

    [LoggerMessage(Level = LogLevel.Error, Message = "This node cannot leave its cluster: no handler restarts its silo (not a cache node)")]
    private static partial void LogCannotYield(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Leaving the cluster failed")]
    private static partial void LogYieldFailed(ILogger logger, Exception exception);
}
