namespace OrleansCache.Membership;

/// <summary>
/// The gossip layer's view: every node heard of, how recently each was heard from, and which cluster
/// (table host claim) each follows. Thread-safe; merging is commutative, so any order of exchanges
/// converges. What this node follows changes only when <see cref="GossipMembership"/> decides so.
/// </summary>
public sealed class NodeDirectory
{
    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _failAfter;
    private readonly Dictionary<string, (NodeHeartbeat Node, long HeardAt)> _nodes = new(StringComparer.Ordinal);
    private NodeHeartbeat _self;
    private long _lastNewNodeAt;

    /// <summary>Creates the view of node <paramref name="self"/>, judging others dead after <paramref name="failAfter"/> of silence.</summary>
    public NodeDirectory(NodeHeartbeat self, TimeSpan failAfter, TimeProvider time)
    {
        _self = self;
        _failAfter = failAfter;
        _time = time;
        _lastNewNodeAt = time.GetTimestamp();
    }

    /// <summary>This node's own record.</summary>
    public NodeHeartbeat Self
    {
        get
        {
            lock (_lock)
            {
                return _self;
            }
        }
    }

    /// <summary>The table host claim this node follows (its cluster), or <see langword="null"/> while it has none.</summary>
    public LeaderClaim? Following
    {
        get
        {
            lock (_lock)
            {
                return _self.Following;
            }
        }
    }

    /// <summary>How long since a node this view had never heard of appeared.</summary>
    public TimeSpan SinceLastNewNode
    {
        get
        {
            lock (_lock)
            {
                return _time.GetElapsedTime(_lastNewNodeAt);
            }
        }
    }

    /// <summary>Counts one more gossip round of this node's life.</summary>
    public void Beat()
    {
        lock (_lock)
        {
            _self = _self with { Heartbeat = _self.Heartbeat + 1 };
        }
    }

    /// <summary>Returns every node known, this one included, live or not.</summary>
    public IReadOnlyList<NodeHeartbeat> All()
    {
        lock (_lock)
        {
            var all = new List<NodeHeartbeat>(_nodes.Count + 1) { _self };
            all.AddRange(_nodes.Values.Select(n => n.Node));
            return all;
        }
    }

    /// <summary>Returns the nodes heard from within the failure timeout, this one included, ordered by id.</summary>
    public IReadOnlyList<NodeHeartbeat> Alive()
    {
        lock (_lock)
        {
            var alive = new List<NodeHeartbeat> { _self };
            alive.AddRange(_nodes.Values.Where(IsAlive).Select(n => n.Node));
            alive.Sort((a, b) => string.CompareOrdinal(a.NodeId, b.NodeId));
            return alive;
        }
    }

    /// <summary>Returns the nodes heard from within <paramref name="window"/> and not leaving, this one included, ordered by id.</summary>
    public IReadOnlyList<NodeHeartbeat> HeardWithin(TimeSpan window)
    {
        lock (_lock)
        {
            var recent = new List<NodeHeartbeat> { _self };
            foreach (var (node, heardAt) in _nodes.Values)
            {
                if (!node.Leaving && _time.GetElapsedTime(heardAt) < window)
                {
                    recent.Add(node);
                }
            }

            recent.Sort((a, b) => string.CompareOrdinal(a.NodeId, b.NodeId));
            return recent;
        }
    }

    /// <summary>Whether <paramref name="nodeId"/> is this node or was heard from within the failure timeout.</summary>
    public bool IsAlive(string nodeId)
    {
        lock (_lock)
        {
            return nodeId == _self.NodeId || (_nodes.TryGetValue(nodeId, out var known) && IsAlive(known));
        }
    }

    /// <summary>Returns the address known for <paramref name="nodeId"/>, or <see langword="null"/>.</summary>
    public string? AddressOf(string nodeId)
    {
        lock (_lock)
        {
            return nodeId == _self.NodeId ? _self.Ip : _nodes.GetValueOrDefault(nodeId).Node?.Ip;
        }
    }

    /// <summary>
    /// Returns why <paramref name="node"/> may not be part of this cluster, or <see langword="null"/>:
    /// its <c>NODE_ID</c> is already used by a live node at another address.
    /// </summary>
    public string? Conflict(NodeHeartbeat node)
    {
        lock (_lock)
        {
            var other = node.NodeId == _self.NodeId
                ? _self
                : _nodes.TryGetValue(node.NodeId, out var known) && IsAlive(known) ? known.Node : null;
            return other is not null && other.Ip != node.Ip
                ? $"NODE_ID '{node.NodeId}' is already used by the live node at {other.Ip}; give the node at {node.Ip} another NODE_ID."
                : null;
        }
    }

    /// <summary>Takes in what another node knows.</summary>
    /// <returns>Whether anything new was learned.</returns>
    public bool Merge(IEnumerable<NodeHeartbeat> nodes)
    {
        lock (_lock)
        {
            bool changed = false;
            long now = _time.GetTimestamp();
            foreach (var node in nodes)
            {
                if (node.NodeId == _self.NodeId)
                {
                    continue;
                }

                if (!_nodes.TryGetValue(node.NodeId, out var known))
                {
                    _nodes[node.NodeId] = (node, now);
                    _lastNewNodeAt = now;
                    changed = true;
                }
                else if (node.IsNewerThan(known.Node) && (node.Ip == known.Node.Ip || !IsAlive(known)))
                {
                    // A live node's id never moves to another address: that would be a duplicate NODE_ID.
                    _nodes[node.NodeId] = (node, now);
                    changed = true;
                }
            }

            return changed;
        }
    }

    /// <summary>
    /// Learns of nodes only second-hand (the peers a node rejoining another cluster was told of): they are
    /// known, and gossiped with, but count as silent until heard from directly.
    /// </summary>
    public void MergeSilent(IEnumerable<NodeHeartbeat> nodes)
    {
        lock (_lock)
        {
            long silent = _time.GetTimestamp() - (long)(_failAfter.TotalSeconds * _time.TimestampFrequency) - 1;
            foreach (var node in nodes)
            {
                if (node.NodeId != _self.NodeId && !_nodes.ContainsKey(node.NodeId))
                {
                    _nodes[node.NodeId] = (node, silent);
                }
            }
        }
    }

    /// <summary>Makes this node follow <paramref name="claim"/> (its own, when it hosts the table).</summary>
    public void Follow(LeaderClaim? claim)
    {
        lock (_lock)
        {
            _self = _self with { Heartbeat = _self.Heartbeat + 1, Following = claim, Verdicts = claim?.NodeId == _self.NodeId ? _self.Verdicts : [] };
        }
    }

    /// <summary>Announces that this node yields to <paramref name="winner"/>'s cluster.</summary>
    public void Yield(LeaderClaim winner)
    {
        lock (_lock)
        {
            _self = _self with { Heartbeat = _self.Heartbeat + 1, YieldingTo = winner };
        }
    }

    /// <summary>Publishes this host's merge decisions.</summary>
    public void Decide(IReadOnlyList<MergeVerdict> verdicts)
    {
        lock (_lock)
        {
            _self = _self with { Verdicts = verdicts };
        }
    }

    /// <summary>
    /// Returns the claims that are live: their host is alive and still hosts them. Nodes following a claim
    /// whose host is gone (or stepped down) are between hosts, not a cluster of their own.
    /// </summary>
    public IReadOnlyList<LeaderClaim> LiveClaims()
    {
        lock (_lock)
        {
            var live = new List<LeaderClaim>();
            if (_self.IsHost && !_self.Leaving)
            {
                live.Add(_self.Following!);
            }

            foreach (var (node, heardAt) in _nodes.Values)
            {
                if (node.IsHost && IsAlive((node, heardAt)) && !live.Contains(node.Following!))
                {
                    live.Add(node.Following!);
                }
            }

            return live;
        }
    }

    /// <summary>
    /// Returns the merge decisions in force: each made by a live host about its own claim and another live
    /// one, where its own claim ranks first (only that host may decide for the pair).
    /// </summary>
    public IReadOnlyList<MergeVerdict> Verdicts()
    {
        var live = LiveClaims();
        var verdicts = new List<MergeVerdict>();
        foreach (var host in Alive())
        {
            if (!host.IsHost)
            {
                continue;
            }

            var decider = host.Following!;
            foreach (var verdict in host.Verdicts)
            {
                var other = verdict.Loser == decider ? verdict.Winner : verdict.Winner == decider ? verdict.Loser : null;
                if (other is not null && decider.Beats(other) && live.Contains(verdict.Winner) && !verdicts.Contains(verdict))
                {
                    verdicts.Add(verdict);
                }
            }
        }

        return verdicts;
    }

    /// <summary>Returns the live nodes that follow <paramref name="claim"/>, ordered by id.</summary>
    public IReadOnlyList<NodeHeartbeat> MembersOf(LeaderClaim claim) => Alive().Where(n => n.Following == claim).ToList();

    /// <summary>
    /// Takes <paramref name="nodeId"/> for dead now, without waiting out the failure timeout: its address
    /// refused a connection, so nothing listens there. Any newer heartbeat from it revives it.
    /// </summary>
    public void MarkUnreachable(string nodeId)
    {
        lock (_lock)
        {
            if (_nodes.TryGetValue(nodeId, out var known))
            {
                long silentSince = _time.GetTimestamp() - (long)(_failAfter.TotalSeconds * _time.TimestampFrequency) - 1;
                _nodes[nodeId] = (known.Node, Math.Min(known.HeardAt, silentSince));
            }
        }
    }

    /// <summary>Returns the id of the node known at <paramref name="ip"/>, if any.</summary>
    public string? NodeAt(string ip)
    {
        lock (_lock)
        {
            foreach (var (node, _) in _nodes.Values)
            {
                if (node.Ip == ip)
                {
                    return node.NodeId;
                }
            }

            return null;
        }
    }

    /// <summary>Marks this node as leaving, so peers stop counting on it at once instead of after a timeout.</summary>
    public void Leave()
    {
        lock (_lock)
        {
            _self = _self with { Heartbeat = _self.Heartbeat + 1, Leaving = true };
        }
    }

    private bool IsAlive((NodeHeartbeat Node, long HeardAt) known) =>
        !known.Node.Leaving && _time.GetElapsedTime(known.HeardAt) < _failAfter;

    /// <summary>Forgets nodes not heard from for <paramref name="age"/>, so a long-gone node stops being gossiped.</summary>
    public void Prune(TimeSpan age)
    {
        lock (_lock)
        {
            foreach (var id in _nodes.Where(n => _time.GetElapsedTime(n.Value.HeardAt) > age).Select(n => n.Key).ToList())
            {
                _nodes.Remove(id);
            }
        }
    }
}
