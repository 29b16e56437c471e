package io.vrouter.provision.ui;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless chromium driven by its chromedriver (never a downloaded browser or driver).
 * Where either is missing: as root (CI) the test fails, telling how to install them; otherwise
 * it is skipped with a WARNING line on stderr, never silently.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Duration WAIT = Duration.ofSeconds(10);
    static final Path SCREENSHOTS = Path.of("target", "webui-screenshots");

    final WebDriver driver;
    final WebDriverWait wait;
    private final Path profile;

    private Browser(WebDriver driver, Path profile) {
        this.driver = driver;
        this.wait = new WebDriverWait(driver, WAIT);
        this.profile = profile;
    }

    static Browser start() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String why = "Debian's chromium and chromium-driver are not installed (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "); scripts/install-deps.sh installs them";
            if (isRoot()) {
                fail("web UI browser test cannot run: " + why);
            }
            System.err.println("WARNING: web UI browser test SKIPPED: " + why);
            Assumptions.abort(why);
        }
        Path profile = Files.createTempDirectory("webui-chromium-");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        // Loopback only: no background traffic of the browser's own (updates, sync, metrics).
        o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--user-data-dir=" + profile, "--no-first-run", "--disable-sync",
                "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
                "--disable-extensions", "--no-proxy-server", "--password-store=basic");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new Browser(new ChromeDriver(service, o), profile);
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    WebElement visible(String css) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    void gone(String css) {
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector(css)));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    void type(String css, String text) {
        WebElement e = visible(css);
        e.clear();
        e.sendKeys(text);
    }

    void click(String css) {
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector(css))).click();
    }

    /**
     * Waits until the element's text contains {@code text}; returns that text, read in the same
     * look-up (the page may re-render the element right after: a second look-up could meet a
     * stale or changed element).
     */
    String textContains(String css, String text) {
        return wait.ignoring(StaleElementReferenceException.class).until(d -> {
            String t = d.findElement(By.cssSelector(css)).getText();
            return t.contains(text) ? t : null;
        });
    }

    void signIn(String baseUri, String user, String password) {
        driver.get(baseUri + "/ui/");
        type("#login-user", user);
        type("#login-password", password);
        click("#login-submit");
        visible("#services");
    }

    /** Saves a screenshot of the page as {@code target/webui-screenshots/<name>.png}. */
    Path screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path out = SCREENSHOTS.resolve(name + ".png");
        Path tmp = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(tmp, out, StandardCopyOption.REPLACE_EXISTING);
        return out;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("WARNING: cannot remove browser profile " + profile + ": " + e);
            }
        }
    }
}
