using System.Net;
using StackExchange.Redis;

namespace OrleansCache.Client;

/// <summary>
/// A Redis server (or a node's RESP port) through StackExchange.Redis: one multiplexed connection shared
/// by every loop, as that library is meant to be used and as the Orleans client shares its gateway
/// connections. Disposing closes it.
/// </summary>
internal sealed class RedisBenchTarget : IBenchTarget, IAsyncDisposable
{
    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _database;
    private readonly byte[] _value;

    private RedisBenchTarget(ConnectionMultiplexer connection, IPEndPoint server, byte[] value)
    {
        _connection = connection;
        _database = connection.GetDatabase();
        _value = value;
        Name = $"redis {server}";
    }

    public string Name { get; }

    /// <summary>Connects to <paramref name="server"/>, waiting at most <paramref name="timeout"/>.</summary>
    /// <exception cref="RedisConnectionException">Nothing answered there.</exception>
    public static async Task<RedisBenchTarget> ConnectAsync(IPEndPoint server, byte[] value, TimeSpan timeout)
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { server },
            ConnectTimeout = (int)timeout.TotalMilliseconds,

            // A call is bounded by the bench's own abandon token (run end + 5 s), as the Orleans calls are.
            AsyncTimeout = (int)timeout.TotalMilliseconds,
            AbortOnConnectFail = true,
            ConnectRetry = 1,
        };
        var connection = await ConnectionMultiplexer.ConnectAsync(options);
        return new RedisBenchTarget(connection, server, value);
    }

    public async Task<bool> GetAsync(string key) => !(await _database.StringGetAsync(key)).IsNull;

    public Task SetAsync(string key) => _database.StringSetAsync(key, _value);

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}
