namespace OrleansCache.Samples.HybridCacheSample;

/// <summary>
/// Stands for an expensive source of data: computes a forecast (the same one for a city every time) and counts
/// how often it had to.
/// </summary>
public sealed class WeatherStation
{
    private static readonly string[] Summaries = ["Freezing", "Cold", "Mild", "Warm", "Hot"];

    private int _factoryCalls;

    /// <summary>How many forecasts this instance has computed.</summary>
    public int FactoryCalls => Volatile.Read(ref _factoryCalls);

    /// <summary>Computes the forecast of <paramref name="city"/>, slowly, as a real source would.</summary>
    public async Task<Forecast> ForecastAsync(string city, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _factoryCalls);
        await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);

        // Derived from the name alone, so every instance computes the same forecast for a city.
        int sum = 0;
        foreach (char c in city)
        {
            sum += c;
        }

        int temperatureC = sum % 45 - 10;
        return new Forecast(city, temperatureC, Summaries[(temperatureC + 10) * Summaries.Length / 45]);
    }
}
