namespace OrleansCache.Samples.HybridCacheSample;

/// <summary>A city's forecast, as the app serves it and HybridCache stores it (JSON).</summary>
/// <param name="City">The city.</param>
/// <param name="TemperatureC">The temperature, in degrees Celsius.</param>
/// <param name="Summary">A word for it.</param>
public sealed record Forecast(string City, int TemperatureC, string Summary);
