namespace OrleansCache.ClientLibrary;

/// <summary>One step of a scan over the cluster's keys (Redis <c>SCAN</c>).</summary>
/// <param name="Cursor">Where the next step starts; 0 when the scan is complete.</param>
/// <param name="Keys">The keys this step found.</param>
public sealed record ScanPage(long Cursor, IReadOnlyList<string> Keys);
