using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansCache.ClientLibrary.DistributedCaching;

namespace OrleansCache.Tests.DistributedCache;

/// <summary>
/// What <c>AddOrleansCache</c> registers and refuses, and how its options are checked, without a cluster: each of
/// these fails before any node would be called.
/// </summary>
public sealed class OrleansCacheRegistrationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Validator_AcceptsTheDefaults()
    {
        var result = new OrleansCacheOptionsValidator().Validate(null, new OrleansCacheOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validator_NamesEachSettingToFix_WhenSettingsCannotWork()
    {
        var options = new OrleansCacheOptions
        {
            Node = "not a host",
            GatewayPort = 0,
            HttpPort = 70000,
            ClusterId = " ",
            InstanceName = new string('p', 1024),
            ConnectTimeout = TimeSpan.FromSeconds(-1),
        };

        var result = new OrleansCacheOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        foreach (string setting in new[] { "Node", "GatewayPort", "HttpPort", "ClusterId", "InstanceName", "ConnectTimeout" })
        {
            Assert.Contains($"OrleansCacheOptions.{setting}", result.FailureMessage);
        }

        Assert.Contains("'not a host'", result.FailureMessage);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("cache-node-0")]
    [InlineData("cache.example.internal")]
    public void Validator_AcceptsTheNode_WhenItIsAnAddressOrHostName(string node)
    {
        var result = new OrleansCacheOptionsValidator().Validate(null, new OrleansCacheOptions { Node = node });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public async Task AddOrleansCache_StopsTheHostAtStart_WhenOptionsAreInvalid()
    {
        using var host = CacheApp.Build(services => services.AddOrleansCache(options => options.GatewayPort = 0));

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(Timeout));

        Assert.Contains("OrleansCacheOptions.GatewayPort", refused.Message);
    }

    [Fact]
    public void AddOrleansCache_Throws_WhenAnOrleansClientIsAlreadyRegistered()
    {
        var services = new ServiceCollection();
        services.AddOrleansClient(_ => { });

        var refused = Assert.Throws<InvalidOperationException>(() => services.AddOrleansCache(_ => { }));

        Assert.Contains("AddOrleansCache() without options", refused.Message);
    }

    [Fact]
    public void AddOrleansCache_IsTheDistributedCacheResolved_WhenAnotherWasRegisteredFirst()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDistributedMemoryCache();
        services.AddOrleansCache(_ => { });
        using var provider = services.BuildServiceProvider();

        var cache = provider.GetRequiredService<IDistributedCache>();

        Assert.IsType<OrleansDistributedCache>(cache);
        Assert.Same(cache, provider.GetRequiredService<OrleansDistributedCache>());
    }

    [Fact]
    public void AddOrleansCacheWithoutOptions_SaysWhatIsMissing_WhenNoOrleansClientIsRegistered()
    {
        var services = new ServiceCollection();
        services.AddOrleansCache();
        using var provider = services.BuildServiceProvider();

        var refused = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IDistributedCache>());

        Assert.Contains("UseOrleansClient", refused.Message);
    }
}
