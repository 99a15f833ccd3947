using System.Globalization;
using Orleans.Serialization;

namespace OrleansCache.Membership;

/// <summary>
/// The authoritative membership table, as the node hosting it keeps it: rows with etags and a table
/// version, changed only by compare-and-swap on both.
/// </summary>
/// <remarks>
/// Etags carry the host's term (<c>term.counter</c>), so an etag issued by an earlier host can never
/// match one issued after a takeover by accident. Entries are copied in and out: Orleans mutates the
/// entries it reads and writes.
/// </remarks>
public sealed class MembershipTableStore
{
    private readonly object _lock = new();
    private readonly DeepCopier _copier;
    private readonly Dictionary<SiloAddress, Tuple<MembershipEntry, string>> _rows = [];
    private readonly long _term;
    private TableVersion _version;
    private long _counter;

    /// <summary>Creates the table for host term <paramref name="term"/>, starting from <paramref name="initial"/> if given.</summary>
    public MembershipTableStore(long term, MembershipTableData? initial, DeepCopier copier)
    {
        _term = term;
        _copier = copier;
        _version = initial?.Version ?? new TableVersion(0, NewETag());
        foreach (var row in initial?.Members ?? [])
        {
            _rows[row.Item1.SiloAddress] = Tuple.Create(copier.Copy(row.Item1), row.Item2);
        }
    }

    /// <summary>The current table version.</summary>
    public TableVersion Version
    {
        get
        {
            lock (_lock)
            {
                return _version;
            }
        }
    }

    /// <summary>Returns every row and the version.</summary>
    public MembershipTableData ReadAll()
    {
        lock (_lock)
        {
            return new MembershipTableData(_rows.Values.Select(Copy).ToList(), _version);
        }
    }

    /// <summary>Returns one row (if present) and the version.</summary>
    public MembershipTableData ReadRow(SiloAddress silo)
    {
        lock (_lock)
        {
            return _rows.TryGetValue(silo, out var row)
                ? new MembershipTableData(Copy(row), _version)
                : new MembershipTableData(_version);
        }
    }

    /// <summary>Inserts a row if none exists for the silo and <paramref name="version"/> carries the current version etag.</summary>
    public bool Insert(MembershipEntry entry, TableVersion version)
    {
        lock (_lock)
        {
            if (_rows.ContainsKey(entry.SiloAddress) || version.VersionEtag != _version.VersionEtag)
            {
                return false;
            }

            _rows[entry.SiloAddress] = Tuple.Create(_copier.Copy(entry), NewETag());
            _version = new TableVersion(version.Version, NewETag());
            return true;
        }
    }

    /// <summary>Replaces a row if both its etag and the version etag match.</summary>
    public bool Update(MembershipEntry entry, string etag, TableVersion version)
    {
        lock (_lock)
        {
            if (!_rows.TryGetValue(entry.SiloAddress, out var row) || row.Item2 != etag || version.VersionEtag != _version.VersionEtag)
            {
                return false;
            }

            _rows[entry.SiloAddress] = Tuple.Create(_copier.Copy(entry), NewETag());
            _version = new TableVersion(version.Version, NewETag());
            return true;
        }
    }

    /// <summary>Records a silo's liveness time; changes neither the version nor the row's etag.</summary>
    public void UpdateIAmAlive(MembershipEntry entry)
    {
        lock (_lock)
        {
            if (_rows.TryGetValue(entry.SiloAddress, out var row))
            {
                row.Item1.IAmAliveTime = entry.IAmAliveTime;
            }
        }
    }

    /// <summary>Removes rows of silos that are not active and were last updated before <paramref name="before"/>.</summary>
    /// <returns>Whether anything was removed.</returns>
    public bool CleanupDefunct(DateTimeOffset before)
    {
        lock (_lock)
        {
            var defunct = _rows.Values
                .Where(r => r.Item1.Status != SiloStatus.Active && LastUpdate(r.Item1) < before.UtcDateTime)
                .Select(r => r.Item1.SiloAddress)
                .ToList();
            foreach (var silo in defunct)
            {
                _rows.Remove(silo);
            }

            return defunct.Count > 0;
        }
    }

    /// <summary>Removes every row.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _rows.Clear();
            _version = new TableVersion(0, NewETag());
        }
    }

    private static DateTime LastUpdate(MembershipEntry entry)
    {
        var last = entry.IAmAliveTime > entry.StartTime ? entry.IAmAliveTime : entry.StartTime;
        foreach (var (_, time) in entry.SuspectTimes ?? [])
        {
            last = time > last ? time : last;
        }

        return last;
    }

    private Tuple<MembershipEntry, string> Copy(Tuple<MembershipEntry, string> row) => Tuple.Create(_copier.Copy(row.Item1), row.Item2);

    private string NewETag() => string.Create(CultureInfo.InvariantCulture, $"{_term}.{_counter++}");
}
