using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;

namespace OrleansCache.ClientLibrary;

/// <summary>
/// The one way into the cache over Orleans: used by the HTTP API, the RESP server, the console client and the
/// tests, so that routing a key to its bucket lives in one place.
/// </summary>
/// <remarks>
/// Thread-safe; create one per <see cref="IGrainFactory"/> and share it. A client outside the cluster
/// learns the cluster's <see cref="CacheTopology"/> on first use; a silo passes its own.
/// Every keyed operation takes a <see cref="CacheKey"/>, checked and hashed once by whoever created it (the
/// doors create theirs as a request arrives); the overloads taking a <see cref="string"/> are the convenience
/// API, which creates the <see cref="CacheKey"/> and fails with <see cref="CacheArgumentError.InvalidKey"/>.
/// </remarks>
public sealed partial class CacheClient
{
    // A read the primary has not answered in this long is tried on a replica. Reads take well under a
    // millisecond when the primary is healthy; a node that died answers nothing until declared dead (~1 s).
    private static readonly TimeSpan ReadFallbackAfter = TimeSpan.FromSeconds(2);

    // Tries of a call Orleans rejects undelivered: 50 + 100 + 150 ms of waiting covers a silo's last
    // moments of stopping, which rejected writes during hand-off in the data-safety tests.
    private const int RejectedAttempts = 4;

    private readonly IGrainFactory _grains;
    private readonly ISiloBuckets? _silo;
    private readonly ConcurrentDictionary<string, INodeGrain> _nodeGrains = new(StringComparer.Ordinal);
    private CacheTopology? _topology;
    private IBucketGrain?[]? _bucketGrains;

    /// <summary>Creates a facade that asks the cluster for its topology on first use.</summary>
    public CacheClient(IGrainFactory grains)
    {
        _grains = grains;
    }

    /// <summary>Creates a facade for a cluster whose topology is already known (inside a silo).</summary>
    public CacheClient(IGrainFactory grains, CacheTopology topology)
        : this(grains, topology, silo: null)
    {
    }

    /// <summary>Creates a facade inside a silo that knows where buckets live, so that multi-key operations carry
    /// each other node's shares in one message, and reads of the buckets held here need no grain message
    /// (<see cref="ISiloBuckets"/>).</summary>
    public CacheClient(IGrainFactory grains, CacheTopology topology, ISiloBuckets? silo)
    {
        _grains = grains;
        _topology = topology;
        _silo = silo;
    }

    /// <summary>Returns the entry stored under <paramref name="key"/>, or <see langword="null"/> on a miss
    /// (Redis <c>GET</c>). An expired entry is a miss; reading a sliding entry moves its expiry ahead.</summary>
    /// <remarks>
    /// Reads go to the bucket's primary. When it does not answer (its node died and is not declared dead
    /// yet, or it is busy recovering), the read is served by a replica that holds a complete copy: every
    /// acknowledged write is on it, so the answer is never older than one.
    /// </remarks>
    public async Task<CacheEntry?> GetAsync(CacheKey key)
    {
        int bucket = await GetBucketAsync(key);
        if (_silo is not null)
        {
            if (_silo.TryReadHere(bucket, key.Value, out var here))
            {
                return here;
            }

            if (_silo.RemoteNodeOf(bucket) is { } node)
            {
                try
                {
                    return await _silo.ReadOnNodeAsync(node, bucket, key.Value).WaitAsync(ReadFallbackAfter);
                }
                catch (TimeoutException slow)
                {
                    // The primary's node does not answer (it may be dying): its replica does, as below.
                    return await ReadFromReplicaAsync(bucket, key.Value, slow);
                }
                catch (Exception)
                {
                    // The message or the bucket there failed: read as a node without the channel would.
                }
            }
        }

        try
        {
            return await CallBucketAsync(bucket, static (grain, key) => grain.GetAsync(key).WaitAsync(ReadFallbackAfter), key.Value);
        }
        catch (Exception primaryFailure) when (primaryFailure is not CacheArgumentException)
        {
            return await ReadFromReplicaAsync(bucket, key.Value, primaryFailure);
        }
    }

    /// <inheritdoc cref="GetAsync(CacheKey)"/>
    /// <exception cref="CacheArgumentException">The key is invalid.</exception>
    public async Task<CacheEntry?> GetAsync(string key) => await GetAsync(CacheKey.Create(key));

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> with no expiry; returns once every copy has it.</summary>
    /// <returns>The version of the new entry.</returns>
    /// <exception cref="CacheArgumentException">The value is too large, or the node over its memory budget.</exception>
    public async Task<long> SetAsync(CacheKey key, CacheValue value)
    {
        await ThrowIfTooLargeAsync(value);
        return await CallAsync(key, static (grain, s) => grain.SetAsync(s.Key, s.value), (Key: key.Value, value));
    }

    /// <inheritdoc cref="SetAsync(CacheKey, CacheValue)"/>
    /// <exception cref="CacheArgumentException">The key is invalid, the value too large, or the node over its memory budget.</exception>
    public async Task<long> SetAsync(string key, CacheValue value) => await SetAsync(CacheKey.Create(key), value);

    /// <summary>Stores raw bytes under <paramref name="key"/>.</summary>
    public Task<long> SetAsync(CacheKey key, byte[] value) => SetAsync(key, new CacheValue(value, ValueFormat.Raw));

    /// <summary>Stores raw bytes under <paramref name="key"/>.</summary>
    public Task<long> SetAsync(string key, byte[] value) => SetAsync(key, new CacheValue(value, ValueFormat.Raw));

    /// <summary>
    /// Stores <paramref name="value"/> under <paramref name="key"/> as <paramref name="options"/> say (Redis
    /// <c>SET</c> with <c>EX</c>/<c>PX</c>/<c>EXAT</c>/<c>PXAT</c>, <c>NX</c>, <c>XX</c>, <c>KEEPTTL</c>, <c>GET</c>;
    /// HTTP <c>If-Match</c>/<c>If-None-Match</c>). The condition is checked and the write made as one atomic step.
    /// </summary>
    /// <returns>Whether it was written, the resulting version, and the previous entry when asked for.</returns>
    /// <exception cref="CacheArgumentException">The value or expiry is invalid, or the node is over its memory budget.</exception>
    public async Task<SetResult> SetAsync(CacheKey key, CacheValue value, SetOptions options)
    {
        ThrowIfInvalid(options);
        await ThrowIfTooLargeAsync(value);
        return await CallAsync(key, static (grain, s) => grain.SetAsync(s.Key, s.value, s.options), (Key: key.Value, value, options));
    }

    /// <inheritdoc cref="SetAsync(CacheKey, CacheValue, SetOptions)"/>
    /// <exception cref="CacheArgumentException">The key, value or expiry is invalid, or the node is over its memory budget.</exception>
    public async Task<SetResult> SetAsync(string key, CacheValue value, SetOptions options) =>
        await SetAsync(CacheKey.Create(key), value, options);

    /// <summary>Stores raw bytes under <paramref name="key"/> that expire as <paramref name="expiry"/> says.</summary>
    public async Task<long> SetAsync(string key, byte[] value, CacheExpiry expiry)
    {
        var result = await SetAsync(key, new CacheValue(value, ValueFormat.Raw), new SetOptions { Expiry = expiry });
        return result.Version;
    }

    /// <summary>
    /// Returns the entries under <paramref name="keys"/>, in the same order, <see langword="null"/> for each miss
    /// (Redis <c>MGET</c>). Keys are grouped by bucket and each bucket is called once, all in parallel; inside a
    /// silo, the buckets of each other node are carried there in one message (<see cref="ISiloBuckets"/>), and
    /// the keys of buckets held here are read without a grain message when their committed state can answer.
    /// </summary>
    /// <exception cref="CacheArgumentException">No keys were given; nothing is read.</exception>
    public async Task<CacheEntry?[]> GetManyAsync(IReadOnlyList<CacheKey> keys)
    {
        var groups = await GroupByBucketAsync(keys);
        var results = new CacheEntry?[keys.Count];
        var calls = new List<Task>(groups.Count);
        var remote = ByRemoteNode(groups, out var local);
        foreach (var (bucket, group) in local)
        {
            calls.Add(ReadShareAsync(bucket, group, results));
        }

        foreach (var (node, shares) in remote)
        {
            calls.Add(ReadSharesOnAsync(node, shares, results));
        }

        await Task.WhenAll(calls);
        return results;
    }

    /// <inheritdoc cref="GetManyAsync(IReadOnlyList{CacheKey})"/>
    /// <exception cref="CacheArgumentException">A key is invalid, or none was given; nothing is read.</exception>
    public async Task<CacheEntry?[]> GetManyAsync(IReadOnlyList<string> keys) => await GetManyAsync(CreateKeys(keys));

    /// <summary>
    /// Stores every entry, each with <paramref name="expiry"/> or none (Redis <c>MSET</c>). Keys are grouped by
    /// bucket and each bucket is called once, all in parallel; each bucket's share is written atomically,
    /// but the buckets are not one transaction: if one bucket refuses (a node over its memory budget),
    /// the others may already have written.
    /// </summary>
    /// <exception cref="CacheArgumentException">A value or the expiry is invalid; nothing is written.</exception>
    public async Task SetManyAsync(IReadOnlyList<KeyValuePair<CacheKey, CacheValue>> entries, CacheExpiry? expiry = null)
    {
        ThrowIfInvalid(expiry);
        var keys = new CacheKey[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            keys[i] = entries[i].Key;
            await ThrowIfTooLargeAsync(entries[i].Value);
        }

        var groups = await GroupByBucketAsync(keys);
        var calls = new List<Task>(groups.Count);
        var remote = ByRemoteNode(groups, out var local);
        foreach (var (bucket, group) in local)
        {
            calls.Add(WriteShareAsync(new BucketEntries(bucket, ShareOf(entries, group)), expiry));
        }

        foreach (var (node, shares) in remote)
        {
            var request = new BucketEntries[shares.Count];
            for (int i = 0; i < request.Length; i++)
            {
                request[i] = new BucketEntries(shares[i].Bucket, ShareOf(entries, shares[i].Group));
            }

            calls.Add(WriteSharesOnAsync(node, request, expiry));
        }

        await Task.WhenAll(calls);
    }

    /// <inheritdoc cref="SetManyAsync(IReadOnlyList{KeyValuePair{CacheKey, CacheValue}}, CacheExpiry?)"/>
    /// <exception cref="CacheArgumentException">A key, value or the expiry is invalid; nothing is written.</exception>
    public async Task SetManyAsync(IReadOnlyList<KeyValuePair<string, CacheValue>> entries, CacheExpiry? expiry = null)
    {
        var checkedEntries = new KeyValuePair<CacheKey, CacheValue>[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            checkedEntries[i] = new(CacheKey.Create(entries[i].Key), entries[i].Value);
        }

        await SetManyAsync(checkedEntries, expiry);
    }

    /// <summary>Removes <paramref name="key"/> everywhere.</summary>
    /// <returns><see langword="true"/> when the key existed.</returns>
    public async Task<bool> DeleteAsync(CacheKey key)
    {
        return await CallAsync(key, static (grain, key) => grain.DeleteAsync(key), key.Value);
    }

    /// <inheritdoc cref="DeleteAsync(CacheKey)"/>
    public async Task<bool> DeleteAsync(string key) => await DeleteAsync(CacheKey.Create(key));

    /// <summary>Removes every one of <paramref name="keys"/> (Redis <c>DEL</c>), each bucket called once.</summary>
    /// <returns>How many existed; a key named twice counts once.</returns>
    public async Task<long> DeleteManyAsync(IReadOnlyList<CacheKey> keys)
    {
        var groups = await GroupByBucketAsync(keys);
        var calls = new List<Task<int>>(groups.Count);
        foreach (var (bucket, group) in groups)
        {
            calls.Add(CallBucketAsync(bucket, static (grain, keys) => grain.DeleteManyAsync(keys), group.Keys.Distinct(StringComparer.Ordinal).ToArray()));
        }

        return Sum(await Task.WhenAll(calls));
    }

    /// <inheritdoc cref="DeleteManyAsync(IReadOnlyList{CacheKey})"/>
    public async Task<long> DeleteManyAsync(IReadOnlyList<string> keys) => await DeleteManyAsync(CreateKeys(keys));

    /// <summary>Returns whether <paramref name="key"/> is stored (an expired key is not). Counts no hit or miss.</summary>
    public async Task<bool> ExistsAsync(CacheKey key) => await CountExistingAsync([key]) == 1;

    /// <inheritdoc cref="ExistsAsync(CacheKey)"/>
    public async Task<bool> ExistsAsync(string key) => await ExistsAsync(CacheKey.Create(key));

    /// <summary>Returns how many of <paramref name="keys"/> are stored, a key named twice counted twice (Redis <c>EXISTS</c>).</summary>
    public async Task<long> CountExistingAsync(IReadOnlyList<CacheKey> keys)
    {
        var groups = await GroupByBucketAsync(keys);
        var calls = new List<Task<int>>(groups.Count);
        foreach (var (bucket, group) in groups)
        {
            calls.Add(CallBucketAsync(bucket, static (grain, keys) => grain.CountExistingAsync(keys), group.Keys.ToArray()));
        }

        return Sum(await Task.WhenAll(calls));
    }

    /// <inheritdoc cref="CountExistingAsync(IReadOnlyList{CacheKey})"/>
    public async Task<long> CountExistingAsync(IReadOnlyList<string> keys) => await CountExistingAsync(CreateKeys(keys));

    /// <summary>
    /// Adds <paramref name="by"/> (negative to subtract) to the integer stored under <paramref name="key"/>, atomically,
    /// and returns the new value (Redis <c>INCRBY</c>/<c>DECRBY</c>). A missing key counts as 0. The value is kept as
    /// its decimal ASCII text (so <c>GET</c> returns e.g. <c>"42"</c>); its expiry is kept.
    /// </summary>
    /// <exception cref="CacheArgumentException">The stored value is not a 64-bit signed decimal integer
    /// (<see cref="CacheArgumentError.NotAnInteger"/>), the result would overflow
    /// (<see cref="CacheArgumentError.IntegerOverflow"/>), or the node is over its memory budget.</exception>
    public async Task<long> IncrementAsync(CacheKey key, long by = 1)
    {
        return await CallAsync(key, static (grain, s) => grain.IncrementAsync(s.Key, s.by), (Key: key.Value, by));
    }

    /// <inheritdoc cref="IncrementAsync(CacheKey, long)"/>
    public async Task<long> IncrementAsync(string key, long by = 1) => await IncrementAsync(CacheKey.Create(key), by);

    /// <summary>
    /// Runs a Redis hash command (<c>HSET</c>, <c>HGET</c>, <c>HGETALL</c>, <c>HDEL</c>, ...) on the hash under
    /// <paramref name="key"/>, atomically, in the key's bucket; see <see cref="HashOperation"/> for what each answers.
    /// </summary>
    /// <exception cref="CacheArgumentException">The key holds a value that is not a hash
    /// (<see cref="CacheArgumentError.WrongType"/>), the hash would grow past <c>MAX_VALUE_BYTES</c>, or the node is
    /// over its memory budget.</exception>
    public async Task<HashResult> HashAsync(CacheKey key, HashCommand command)
    {
        return await CallAsync(key, static (grain, s) => grain.HashAsync(s.Key, s.command), (Key: key.Value, command));
    }

    /// <summary>
    /// Makes an existing key expire after <paramref name="timeToLive"/> (Redis <c>EXPIRE</c>/<c>PEXPIRE</c>); zero or
    /// negative deletes it at once, as Redis does.
    /// </summary>
    /// <returns><see langword="false"/> when the key is absent.</returns>
    /// <exception cref="CacheArgumentException">The time to live is over <see cref="CacheExpiry.MaxTimeToLive"/>.</exception>
    public async Task<bool> ExpireAsync(CacheKey key, TimeSpan timeToLive)
    {
        if (timeToLive > CacheExpiry.MaxTimeToLive)
        {
            ThrowIfInvalid(CacheExpiry.After(timeToLive));
        }

        var expiry = timeToLive > TimeSpan.Zero ? CacheExpiry.After(timeToLive) : CacheExpiry.At(DateTimeOffset.MinValue);
        return await CallAsync(key, static (grain, s) => grain.ExpireAsync(s.Key, s.expiry), (Key: key.Value, expiry));
    }

    /// <inheritdoc cref="ExpireAsync(CacheKey, TimeSpan)"/>
    public async Task<bool> ExpireAsync(string key, TimeSpan timeToLive) => await ExpireAsync(CacheKey.Create(key), timeToLive);

    /// <summary>Makes an existing key expire at <paramref name="instant"/> (Redis <c>EXPIREAT</c>); a past instant deletes it.</summary>
    /// <returns><see langword="false"/> when the key is absent.</returns>
    public async Task<bool> ExpireAtAsync(CacheKey key, DateTimeOffset instant)
    {
        return await CallAsync(key, static (grain, s) => grain.ExpireAsync(s.Key, CacheExpiry.At(s.instant)), (Key: key.Value, instant));
    }

    /// <inheritdoc cref="ExpireAtAsync(CacheKey, DateTimeOffset)"/>
    public async Task<bool> ExpireAtAsync(string key, DateTimeOffset instant) => await ExpireAtAsync(CacheKey.Create(key), instant);

    /// <summary>Removes the expiry of <paramref name="key"/> (Redis <c>PERSIST</c>).</summary>
    /// <returns><see langword="true"/> when the key existed and had an expiry.</returns>
    public async Task<bool> PersistAsync(CacheKey key)
    {
        return await CallAsync(key, static (grain, key) => grain.ExpireAsync(key, expiry: null), key.Value);
    }

    /// <inheritdoc cref="PersistAsync(CacheKey)"/>
    public async Task<bool> PersistAsync(string key) => await PersistAsync(CacheKey.Create(key));

    /// <summary>
    /// Returns whether <paramref name="key"/> exists and how long it has left (Redis <c>TTL</c>/<c>PTTL</c>: a missing
    /// key is <c>-2</c>, <see cref="KeyTimeToLive.Exists"/> false; a key without expiry is <c>-1</c>,
    /// <see cref="KeyTimeToLive.Remaining"/> null).
    /// </summary>
    public async Task<KeyTimeToLive> GetTimeToLiveAsync(CacheKey key)
    {
        return await CallAsync(key, static (grain, key) => grain.GetTimeToLiveAsync(key), key.Value);
    }

    /// <inheritdoc cref="GetTimeToLiveAsync(CacheKey)"/>
    public async Task<KeyTimeToLive> GetTimeToLiveAsync(string key) => await GetTimeToLiveAsync(CacheKey.Create(key));

    /// <summary>Moves a sliding entry's expiry ahead without reading it (<c>IDistributedCache.Refresh</c>).</summary>
    /// <returns><see langword="false"/> when the key is absent.</returns>
    public async Task<bool> RefreshAsync(CacheKey key)
    {
        return await CallAsync(key, static (grain, key) => grain.RefreshAsync(key), key.Value);
    }

    /// <inheritdoc cref="RefreshAsync(CacheKey)"/>
    public async Task<bool> RefreshAsync(string key) => await RefreshAsync(CacheKey.Create(key));

    /// <summary>Returns every active node's statistics and the cluster's sums.</summary>
    public async Task<ClusterStats> GetStatsAsync()
    {
        var view = await GetClusterAsync();
        var calls = new List<Task<NodeStats>>();
        foreach (var member in view.Members)
        {
            if (member.Status == "Active")
            {
                calls.Add(_grains.GetGrain<INodeGrain>(member.Id).GetStatsAsync());
            }
        }

        return new ClusterStats(await Task.WhenAll(calls));
    }

    /// <summary>Returns how many keys the cluster stores (Redis <c>DBSIZE</c>; expired keys not yet reclaimed included).</summary>
    public async Task<long> CountKeysAsync() => (await GetStatsAsync()).Keys;

    /// <summary>Reports which nodes hold the copies of <paramref name="key"/>'s bucket.</summary>
    public async Task<BucketLocation> LocateAsync(CacheKey key)
    {
        return await CallAsync(key, static (grain, _) => grain.LocateAsync(), 0);
    }

    /// <inheritdoc cref="LocateAsync(CacheKey)"/>
    public async Task<BucketLocation> LocateAsync(string key) => await LocateAsync(CacheKey.Create(key));

    /// <summary>Returns every entry held on the node whose <c>NODE_ID</c> is <paramref name="nodeId"/>.</summary>
    /// <exception cref="CacheArgumentException">No active node has that id.</exception>
    public async Task<IReadOnlyDictionary<string, CacheEntry>> DumpNodeAsync(string nodeId)
    {
        var view = await GetClusterAsync();
        bool known = false;
        foreach (var member in view.Members)
        {
            known |= member.Id == nodeId && member.Status == "Active";
        }

        if (!known)
        {
            throw new CacheArgumentException(CacheArgumentError.UnknownNode, $"No active node has NODE_ID '{nodeId}'.");
        }

        return await _grains.GetGrain<INodeGrain>(nodeId).DumpAsync();
    }

    /// <summary>Returns the cluster's members as the node that answers sees them.</summary>
    public Task<ClusterView> GetClusterAsync() => _grains.GetGrain<IClusterGrain>(0).GetViewAsync();

    /// <summary>Returns the bucket count, replication factor and value limit of the cluster.</summary>
    public async ValueTask<CacheTopology> GetTopologyAsync()
    {
        // Benign race: concurrent first calls may each ask; they all get the same answer.
        return _topology ??= await _grains.GetGrain<IClusterGrain>(0).GetTopologyAsync();
    }

    /// <summary>Returns the bucket <paramref name="key"/> belongs to: the one whose range of slots holds the key's slot, found once.</summary>
    public async ValueTask<int> GetBucketAsync(CacheKey key)
    {
        var topology = await GetTopologyAsync();
        return KeyHasher.GetBucketOfSlot(key.Slot, topology.Buckets);
    }

    /// <inheritdoc cref="GetBucketAsync(CacheKey)"/>
    public ValueTask<int> GetBucketAsync(string key) => GetBucketAsync(CacheKey.Create(key));

    private async ValueTask ThrowIfTooLargeAsync(CacheValue value)
    {
        var topology = await GetTopologyAsync();
        if (value.Value.Length > topology.MaxValueBytes)
        {
            throw new CacheArgumentException(CacheArgumentError.ValueTooLarge, CacheProblems.ValueTooLarge(value.Value.Length, topology.MaxValueBytes));
        }
    }

    private static void ThrowIfInvalid(SetOptions options)
    {
        ThrowIfInvalid(options.Expiry);
        if (options.KeepTimeToLive && options.Expiry is not null)
        {
            throw new CacheArgumentException(CacheArgumentError.InvalidExpiry, "Keep the time to live or give a new expiry, not both.");
        }
    }

    private static void ThrowIfInvalid(CacheExpiry? expiry)
    {
        if (expiry?.Validate() is { } problem)
        {
            throw new CacheArgumentException(CacheArgumentError.InvalidExpiry, problem);
        }
    }

    // The keys are checked before any is sent (CreateKeys), so one bad key changes nothing.
    private async ValueTask<Dictionary<int, KeyGroup>> GroupByBucketAsync(IReadOnlyList<CacheKey> keys)
    {
        if (keys.Count == 0)
        {
            throw new CacheArgumentException(CacheArgumentError.InvalidArgument, "No keys were given.");
        }

        var topology = await GetTopologyAsync();
        var groups = new Dictionary<int, KeyGroup>();
        for (int i = 0; i < keys.Count; i++)
        {
            int bucket = KeyHasher.GetBucketOfSlot(keys[i].Slot, topology.Buckets);
            if (!groups.TryGetValue(bucket, out var group))
            {
                groups[bucket] = group = new KeyGroup();
            }

            group.Keys.Add(keys[i].Value);
            group.Positions.Add(i);
        }

        return groups;
    }

    private static long Sum(int[] counts)
    {
        long sum = 0;
        foreach (int count in counts)
        {
            sum += count;
        }

        return sum;
    }

    // Splits a batch's bucket groups into those whose primary is on another node (by node) and the rest, called
    // directly: this node's own, or every group when the facade runs outside a silo.
    private Dictionary<string, List<(int Bucket, KeyGroup Group)>> ByRemoteNode(
        Dictionary<int, KeyGroup> groups, out List<(int Bucket, KeyGroup Group)> local)
    {
        var remote = new Dictionary<string, List<(int Bucket, KeyGroup Group)>>(StringComparer.Ordinal);
        local = new List<(int Bucket, KeyGroup Group)>(_silo is null ? groups.Count : 4);
        foreach (var (bucket, group) in groups)
        {
            if (_silo?.RemoteNodeOf(bucket) is { } node)
            {
                if (!remote.TryGetValue(node, out var shares))
                {
                    remote[node] = shares = [];
                }

                shares.Add((bucket, group));
            }
            else
            {
                local.Add((bucket, group));
            }
        }

        return remote;
    }

    // A share of a bucket held here is read without a grain message when every key's committed state answers.
    private async Task ReadShareAsync(int bucket, KeyGroup group, CacheEntry?[] results)
    {
        var entries = new CacheEntry?[group.Keys.Count];
        if (_silo is null || !_silo.TryReadHere(bucket, group.Keys, entries))
        {
            entries = await CallBucketAsync(bucket, static (grain, keys) => grain.GetManyAsync(keys), group.Keys.ToArray());
        }

        Scatter(entries, group.Positions, results);
    }

    // One message to the node for all its shares. A share that failed there, or all of them when the message did,
    // is read again directly: a read may be repeated.
    private async Task ReadSharesOnAsync(string node, List<(int Bucket, KeyGroup Group)> shares, CacheEntry?[] results)
    {
        var request = new BucketKeys[shares.Count];
        for (int i = 0; i < request.Length; i++)
        {
            request[i] = new BucketKeys(shares[i].Bucket, shares[i].Group.Keys.ToArray());
        }

        BucketShareResult[]? answers;
        try
        {
            answers = await NodeGrain(node).GetSharesAsync(request);
        }
        catch (Exception)
        {
            answers = null;
        }

        List<Task>? again = null;
        for (int i = 0; i < shares.Count; i++)
        {
            if (answers?[i] is { Failure: null, Entries: { } entries })
            {
                Scatter(entries, shares[i].Group.Positions, results);
            }
            else
            {
                (again ??= []).Add(ReadShareAsync(shares[i].Bucket, shares[i].Group, results));
            }
        }

        if (again is not null)
        {
            await Task.WhenAll(again);
        }
    }

    private static void Scatter(CacheEntry?[] entries, List<int> positions, CacheEntry?[] results)
    {
        for (int i = 0; i < entries.Length; i++)
        {
            results[positions[i]] = entries[i];
        }
    }

    private static KeyValuePair<string, CacheValue>[] ShareOf(IReadOnlyList<KeyValuePair<CacheKey, CacheValue>> entries, KeyGroup group)
    {
        var share = new KeyValuePair<string, CacheValue>[group.Positions.Count];
        for (int i = 0; i < share.Length; i++)
        {
            var entry = entries[group.Positions[i]];
            share[i] = new(entry.Key.Value, entry.Value);
        }

        return share;
    }

    private Task<bool> WriteShareAsync(BucketEntries share, CacheExpiry? expiry) =>
        CallBucketAsync(share.Bucket, static async (grain, s) =>
        {
            await grain.SetManyAsync(s.Share.Entries, s.Expiry);
            return true;
        }, (Share: share, Expiry: expiry));

    // One message to the node for all its shares. Only what never reached a bucket is written again, directly
    // (the message, or a share's call there, rejected undelivered): a write that may have run is not repeated,
    // and its failure is the batch's, as a bucket's own failure is.
    private async Task WriteSharesOnAsync(string node, BucketEntries[] shares, CacheExpiry? expiry)
    {
        BucketShareResult[] answers;
        try
        {
            answers = await NodeGrain(node).SetSharesAsync(shares, expiry);
        }
        catch (OrleansMessageRejectionException rejection) when (rejection is not SiloUnavailableException)
        {
            var direct = new Task[shares.Length];
            for (int i = 0; i < shares.Length; i++)
            {
                direct[i] = WriteShareAsync(shares[i], expiry);
            }

            await Task.WhenAll(direct);
            return;
        }

        List<Task>? again = null;
        Exception? failure = null;
        for (int i = 0; i < shares.Length; i++)
        {
            switch (answers[i].Failure)
            {
                case null:
                    break;
                case OrleansMessageRejectionException rejection when rejection is not SiloUnavailableException:
                    (again ??= []).Add(WriteShareAsync(shares[i], expiry));
                    break;
                case var other:
                    failure ??= other;
                    break;
            }
        }

        if (again is not null)
        {
            await Task.WhenAll(again);
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private INodeGrain NodeGrain(string node) =>
        _nodeGrains.GetOrAdd(node, static (id, grains) => grains.GetGrain<INodeGrain>(id), _grains);

    /// <summary>
    /// The one call path of every keyed operation: the bucket's grain reference (kept, not looked up again), and
    /// the call made again if Orleans rejected it. A rejected message was never run (a silo stopping, or not yet
    /// knowing a new activation), so repeating it cannot apply a write twice; a call that failed any other way
    /// may have been applied, and is not repeated. That includes <see cref="SiloUnavailableException"/>, which
    /// Orleans derives from the rejection but raises for calls in flight when their silo is declared dead: such
    /// a call may have run (the history test saw a counter incremented twice when it was retried).
    /// </summary>
    private async Task<TResult> CallAsync<TState, TResult>(CacheKey key, Func<IBucketGrain, TState, Task<TResult>> call, TState state) =>
        await CallBucketAsync(await GetBucketAsync(key), call, state);

    /// <inheritdoc cref="CallAsync{TState, TResult}"/>
    private async Task<TResult> CallBucketAsync<TState, TResult>(int bucket, Func<IBucketGrain, TState, Task<TResult>> call, TState state)
    {
        var grain = await GetBucketGrainAsync(bucket);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await call(grain, state);
            }
            catch (OrleansMessageRejectionException rejection) when (rejection is not SiloUnavailableException && attempt < RejectedAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt));
            }
        }
    }

    private async Task<CacheEntry?> ReadFromReplicaAsync(int bucket, string key, Exception primaryFailure)
    {
        var topology = await GetTopologyAsync();
        for (int rank = 1; rank < topology.ReplicationFactor; rank++)
        {
            try
            {
                return await _grains.GetGrain<IReplicaGrain>(ReplicaKey.Create(bucket, rank)).GetAsync(key).WaitAsync(ReadFallbackAfter);
            }
            catch (Exception)
            {
                // This copy cannot answer either; try the next one.
            }
        }

        ExceptionDispatchInfo.Throw(primaryFailure);
        return null;
    }

    private async ValueTask<IBucketGrain> GetBucketGrainAsync(int bucket)
    {
        // GetGrain looks the interface type up by reflection on every call: 4.9% of a node's CPU time under
        // redis-benchmark GETs (dotnet-trace, docs/benchmarks.md). A grain reference never changes; keep one per
        // bucket. Racing first calls may each create one; either is as good.
        var references = _bucketGrains ??= new IBucketGrain?[(await GetTopologyAsync()).Buckets];
        return references[bucket] ??= _grains.GetGrain<IBucketGrain>(bucket);
    }

    // Checks every key before any is used, so one bad key changes nothing.
    private static CacheKey[] CreateKeys(IReadOnlyList<string> keys)
    {
        var created = new CacheKey[keys.Count];
        for (int i = 0; i < created.Length; i++)
        {
            created[i] = CacheKey.Create(keys[i]);
        }

        return created;
    }

    // The keys of one bucket and where each stands in the caller's list.
    private sealed class KeyGroup
    {
        public List<string> Keys { get; } = [];

        public List<int> Positions { get; } = [];
    }
}
