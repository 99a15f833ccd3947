namespace OrleansCache.Benchmarks.GossipLoad;

/// <summary>A size could not be measured; the message is the one line the orchestrator prints before it exits 1.</summary>
internal sealed class BenchmarkFailedException(string message) : Exception(message);
