using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;

namespace OrleansCache.Tests.Unit;

public sealed class KeyHasherTests
{
    [Fact]
    public void Hash_IsXxHash64OfTheUtf8Bytes_SoEveryProcessAgrees()
    {
        // Published XXH64 test vector for the empty input, seed 0: any process, any machine, any run.
        Assert.Equal(0xEF46DB3751D8E999UL, KeyHasher.Hash(string.Empty));
        Assert.Equal(
            System.IO.Hashing.XxHash64.HashToUInt64("clé/日本"u8),
            KeyHasher.Hash("clé/日本"));
    }

    [Fact]
    public void GetBucket_StaysWithinTheBucketCount_AndSpreadsKeys()
    {
        var counts = new int[16];
        for (int i = 0; i < 16_000; i++)
        {
            counts[KeyHasher.GetBucket($"key-{i}", 16)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 800, 1200));
    }

    [Fact]
    public void GetBucket_HashesLongKeys_LikeShortOnes()
    {
        var key = new string('ü', CacheKeys.MaxKeyBytes / 2);

        Assert.Equal(
            System.IO.Hashing.XxHash64.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(key)) % 1024,
            (ulong)KeyHasher.GetBucket(key, 1024));
    }

    [Fact]
    public void GetBucket_OfAHash_IsTheBucketOfItsKey()
    {
        Assert.Equal(KeyHasher.GetBucket("clé/日本", 1024), KeyHasher.GetBucket(KeyHasher.Hash("clé/日本"u8), 1024));
    }
}
