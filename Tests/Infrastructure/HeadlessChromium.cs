using Microsoft.Playwright;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright, for the tests that look at a page as its user does.
/// Playwright's driver, with a Node.js of its own, is copied from its NuGet package into the test output
/// (<c>.playwright/</c>); Playwright's browser download is never used (this machine reaches no browser host):
/// it launches Debian's browser by its path. The browser is installed
/// (<c>chromium</c>) on first use when missing and the tests run as root. Disposing closes it.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    /// <summary>Where Debian's <c>chromium</c> package puts the browser.</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly Lazy<Task> Installed = new(() => DebianPackage.InstallAsync("chromium"));

    // A cold first launch took ~10 s here (the driver's node process, then the browser) on 2 busy cores.
    private static readonly TimeSpan LaunchTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    private readonly IPlaywright _playwright;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    /// <summary>The running browser.</summary>
    public IBrowser Browser { get; }

    /// <summary>Why Chromium cannot be had here, or <see langword="null"/> when it can.</summary>
    public static string? MissingPrerequisite() =>
        File.Exists(ExecutablePath) || DebianPackage.CanInstall
            ? null
            : $"Chromium is not installed at {ExecutablePath} and the tests do not run as root to install it (apt-get install chromium)";

    /// <summary>Starts a headless Chromium, installing the package first if it is missing.</summary>
    public static async Task<HeadlessChromium> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            await Installed.Value;
        }

        var playwright = await Playwright.CreateAsync().WaitAsync(LaunchTimeout);
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,

                // Chromium refuses to start as root with its sandbox on, and the tests run as root here and in CI.
                Args = ["--no-sandbox"],
                Timeout = (float)LaunchTimeout.TotalMilliseconds,
            }).WaitAsync(LaunchTimeout);
            return new HeadlessChromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Browser.CloseAsync().WaitAsync(CloseTimeout);
        }
        finally
        {
            // Stops Playwright's driver, which takes any browser it started with it.
            _playwright.Dispose();
        }
    }
}
