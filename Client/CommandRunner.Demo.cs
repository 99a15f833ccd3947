using System.Text;
using System.Text.Json;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Client;

/// <summary>The <c>demo</c> command: a few keys written, located and read back.</summary>
public sealed partial class CommandRunner
{
    private const int DemoKeys = 8;

    private async Task<int> DemoAsync()
    {
        var keys = new List<DemoKey>();
        int mismatches = 0;
        using (var progress = new ProgressLine(_error, _errorIsTerminal))
        {
            for (int i = 1; i <= DemoKeys; i++)
            {
                string key = $"demo:{i}";
                string value = $"value {i}";
                await _cache.SetAsync(key, Encoding.UTF8.GetBytes(value)).WaitAsync(_cancellationToken);
                var location = await _cache.LocateAsync(key).WaitAsync(_cancellationToken);
                var entry = await _cache.GetAsync(key).WaitAsync(_cancellationToken);
                mismatches += entry is not null && AsText(entry) == value ? 0 : 1;
                keys.Add(new DemoKey(key, location, entry));
                progress.Show($"demo: {i} of {DemoKeys} keys written, located and read back");
            }
        }

        Print(() => WriteDemoTable(keys), json => WriteDemo(json, keys));
        if (mismatches > 0)
        {
            _error.WriteLine($"Orleans.Cache: {mismatches} of {DemoKeys} demo keys read back a different value.");
            return Failed;
        }

        if (!_json)
        {
            _output.WriteLine($"{DemoKeys} keys written and read back.");
        }

        return Done;
    }

    private void WriteDemoTable(List<DemoKey> keys)
    {
        var rows = new List<string[]> { new[] { "KEY", "BUCKET", "PRIMARY", "REPLICAS", "READ BACK" } };
        foreach (var (key, location, readBack) in keys)
        {
            string replicas = location.ReplicaNodeIds.Count == 0 ? "-" : string.Join(',', location.ReplicaNodeIds);
            rows.Add([key, Number(location.Bucket), location.PrimaryNodeId, replicas, readBack is null ? "(nil)" : AsText(readBack)]);
        }

        TextTable.Write(_output, rows);
    }

    private static void WriteDemo(Utf8JsonWriter json, List<DemoKey> keys)
    {
        json.WriteStartArray();
        foreach (var (key, location, readBack) in keys)
        {
            json.WriteStartObject();
            json.WriteString("key", key);
            json.WriteNumber("bucket", location.Bucket);
            json.WriteString("primary", location.PrimaryNodeId);
            json.WriteStartArray("replicas");
            foreach (var replica in location.ReplicaNodeIds)
            {
                json.WriteStringValue(replica);
            }

            json.WriteEndArray();
            json.WritePropertyName("readBack");
            JsonOutput.WriteValue(json, readBack);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private sealed record DemoKey(string Key, BucketLocation Location, CacheEntry? ReadBack);
}
