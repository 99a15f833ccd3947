using System.Text;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;

namespace OrleansCache.Tests.Unit;

public sealed class KeyHasherTests
{
    // Slots as Debian's redis-server 7.0.15 answered CLUSTER KEYSLOT for each key (cluster-enabled, 2026-12).
    // 12739 is 0x31C3, the published CRC16/XMODEM check value of "123456789".
    [Theory]
    [InlineData("123456789", 12739)]
    [InlineData("user1000", 3443)]
    [InlineData("{user1000}.following", 3443)]
    [InlineData("{user1000}.followers", 3443)]
    [InlineData("foo{}{bar}", 8363)]
    [InlineData("foo{{bar}}zap", 4015)]
    [InlineData("{bar", 4015)]
    [InlineData("foo{bar}{zap}", 5061)]
    [InlineData("bar", 5061)]
    [InlineData("clé/日本", 9769)]
    [InlineData("{}", 15257)]
    [InlineData("}{a}", 15495)]
    [InlineData("a{", 14311)]
    public void GetSlot_IsRedisClusterKeySlot_WhenGivenTextOrItsUtf8Bytes(string key, int slot)
    {
        Assert.Equal(slot, KeyHasher.GetSlot(key));
        Assert.Equal(slot, KeyHasher.GetSlot(Encoding.UTF8.GetBytes(key)));
    }

    [Fact]
    public void GetSlot_HashesOnlyTheTag_WhenTheKeyHasANonEmptyOne()
    {
        Assert.Equal(KeyHasher.GetSlot("user1000"), KeyHasher.GetSlot("{user1000}.following"));
        Assert.Equal(KeyHasher.GetSlot("user1000"), KeyHasher.GetSlot("prefix{user1000}suffix{other}"));

        // The first '{' and the first '}' after it: "{bar" is the tag of "foo{{bar}}zap".
        Assert.Equal(KeyHasher.GetSlot("{bar"), KeyHasher.GetSlot("foo{{bar}}zap"));

        // An empty tag, or none closed, hashes the whole key.
        Assert.NotEqual(KeyHasher.GetSlot("bar"), KeyHasher.GetSlot("foo{}{bar}"));
        Assert.NotEqual(KeyHasher.GetSlot("bar"), KeyHasher.GetSlot("foo{bar"));
    }

    [Fact]
    public void GetSlot_HashesLongKeys_LikeShortOnes()
    {
        // 1024 bytes in 512 chars: past the stack buffer's char estimate, so hashed through the other path.
        var key = new string('ü', CacheKeys.MaxKeyBytes / 2);

        Assert.Equal(KeyHasher.GetSlot(Encoding.UTF8.GetBytes(key)), KeyHasher.GetSlot(key));
        Assert.InRange(KeyHasher.GetSlot(key), 0, KeyHasher.Slots - 1);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(16)]
    [InlineData(1024)]
    [InlineData(16384)]
    public void GetBucket_IsTheBucketWhoseSlotRangeHoldsTheSlot_ForEveryValidBucketCount(int buckets)
    {
        int next = 0;
        for (int bucket = 0; bucket < buckets; bucket++)
        {
            var (first, count) = KeyHasher.GetSlots(bucket, buckets);
            Assert.Equal(next, first);
            Assert.Equal(KeyHasher.Slots / buckets, count);
            next = first + count;
        }

        Assert.Equal(KeyHasher.Slots, next);
        for (int slot = 0; slot < KeyHasher.Slots; slot++)
        {
            int bucket = KeyHasher.GetBucketOfSlot(slot, buckets);
            var (first, count) = KeyHasher.GetSlots(bucket, buckets);
            Assert.InRange(slot, first, first + count - 1);
        }

        Assert.Equal(KeyHasher.GetBucketOfSlot(KeyHasher.GetSlot("clé/日本"), buckets), KeyHasher.GetBucket("clé/日本", buckets));
    }

    [Fact]
    public void GetBucket_OfKeysSharingAHashTag_IsTheSame_AtEveryBucketCount()
    {
        for (int buckets = 1; buckets <= KeyHasher.Slots; buckets *= 2)
        {
            Assert.Equal(KeyHasher.GetBucket("{user1000}.following", buckets), KeyHasher.GetBucket("{user1000}.followers", buckets));
        }
    }

    [Fact]
    public void GetBucket_SpreadsKeysOverTheBuckets()
    {
        var counts = new int[16];
        for (int i = 0; i < 16_000; i++)
        {
            counts[KeyHasher.GetBucket($"key-{i}", 16)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 800, 1200));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(1000)]
    [InlineData(32768)]
    [InlineData(-1024)]
    public void GetBucketOfSlot_Throws_WhenTheBucketCountIsNotAPowerOfTwoUpTo16384(int buckets)
    {
        Assert.False(KeyHasher.IsValidBucketCount(buckets));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyHasher.GetBucketOfSlot(0, buckets));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyHasher.GetSlots(0, buckets));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(16384)]
    public void GetBucketOfSlot_Throws_WhenTheSlotIsOutOfRange(int slot)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyHasher.GetBucketOfSlot(slot, 1024));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    [InlineData(65536)]
    public void CacheOptionsValidator_RefusesBuckets_NamingTheVariableAndWhatToSet(int buckets)
    {
        var result = new CacheOptionsValidator().Validate(null, new CacheOptions { Buckets = buckets });

        Assert.True(result.Failed);
        Assert.Contains("BUCKETS must be a power of two from 1 to 16384", result.FailureMessage);
        Assert.Contains($"it is {buckets}.", result.FailureMessage);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(512)]
    [InlineData(16384)]
    public void CacheOptionsValidator_AcceptsBuckets_WhenAPowerOfTwoUpTo16384(int buckets)
    {
        Assert.True(new CacheOptionsValidator().Validate(null, new CacheOptions { Buckets = buckets }).Succeeded);
    }
}
