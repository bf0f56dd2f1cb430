package org.mailgateway.admin.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mailgateway.admin.rest.MailStoreResource;
import org.mailgateway.admin.rest.StoreFixtures;
import org.mailgateway.admin.rest.TestKeys;
import org.mailgateway.contracts.MessageIds;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: Debian's chromium, headless, driven through Debian's chromedriver (Debian
 * packages {@code chromium} and {@code chromium-driver}; .ci/run installs them). An operator finds quarantined mail
 * by client address, reads and releases one, deletes another, retries a stuck destination, looks at a client,
 * blocks a range after its impact preview and unblocks it, looks at the charts; a viewer sees no button that acts.
 * Every page it visits is saved as {@code target/screenshots/NN-name.png}.
 */
@QuarkusTest
@WithTestResource(MailStoreResource.class)
class ConsoleBrowserIT {

    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    static final Path SCREENSHOTS = Path.of("target/screenshots");
    /** This test's own addresses (100.65.1.0/29) and destination: the database is shared with the other tests. */
    static final String RANGE = "100.65.1.0/29";
    static final String SPAMMER = "100.65.1.2";
    static final String PARTNER = "100.65.1.3";
    static final String HOP = "stuck.browser.test:25";

    private static WebDriver browser;
    private static WebDriverWait wait;
    private static int shots;

    @TestHTTPResource("/")
    URL base;

    @BeforeAll
    static void startBrowser() throws IOException {
        assertTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
                "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)");
        Files.createDirectories(SCREENSHOTS);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // CI runs as root: no sandbox; /dev/shm may be small in a container
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1100",
                "--disable-gpu", "--no-first-run", "--disable-extensions");
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void anOperatorWorksThroughTheConsoleAndAViewerOnlyLooks() throws Exception {
        Instant now = Instant.now();
        String release = quarantined(now.minus(3, ChronoUnit.MINUTES), "Cheap watches", "Buy cheap watches today.");
        String delete = quarantined(now.minus(2, ChronoUnit.MINUTES), "Cheap pills", "Buy cheap pills today.");
        String stuck = MessageIds.next();
        StoreFixtures.insert(new StoreFixtures.Mail(stuck, now.minus(1, ChronoUnit.HOURS), PARTNER, "mail.partner.example",
                "alice@partner.example", List.of("bob@example.test"), "DELIVER", 0.5, "[]",
                "Subject: Invoice\r\n\r\nsee attached\r\n".getBytes(StandardCharsets.US_ASCII)));
        StoreFixtures.delivery(stuck, "bob@example.test", HOP, "DEFERRED", 4, now.plus(1, ChronoUnit.HOURS),
                "451 4.3.0 mailbox busy, try later", null);
        relayAttempts(SPAMMER, 5000, now);

        // log in as operator
        open("/console/quarantine");
        wait.until(ExpectedConditions.urlContains("/console/login"));
        shot("login");
        browser.findElement(By.id("key")).sendKeys(TestKeys.operator());
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.textToBe(By.id("who"), "test-operator (operator)"));

        // search the quarantine by client address
        WebElement ip = browser.findElement(By.name("ip"));
        ip.clear();
        ip.sendKeys(SPAMMER);
        browser.findElement(By.id("search-button")).click();
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#messages tbody tr"), 2));
        assertEquals(List.of(delete, release), browser.findElements(By.cssSelector("#messages tbody tr")).stream()
                .map(row -> row.getAttribute("data-id")).toList());
        shot("quarantine-search");

        // one message: rule hits, text; release it
        browser.findElement(By.cssSelector("tr[data-id='" + release + "'] td a")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("hits")));
        String hits = browser.findElement(By.id("hits")).getText();
        assertTrue(hits.contains("RELAY_ATTEMPTS") && hits.contains("because RELAY_ATTEMPTS"), hits);
        assertTrue(browser.findElement(By.cssSelector("pre.preview")).getText().contains("Buy cheap watches today."));
        shot("quarantine-message");
        browser.findElement(By.id("release")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "Released " + release));
        given().auth().oauth2(TestKeys.viewer()).get("/api/v1/queue/messages/" + release).then().statusCode(200)
                .body("action", equalTo("RELEASED")).body("releasedBy", equalTo("test-operator"))
                .body("deliveries.state", equalTo(List.of("QUEUED")));

        // the other one: delete it; neither is in the quarantine any more
        open("/console/quarantine/" + delete);
        browser.findElement(By.id("delete")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "Deleted " + delete));
        open("/console/quarantine?ip=" + SPAMMER);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("no-messages")));
        given().auth().oauth2(TestKeys.viewer()).get("/api/v1/quarantine/" + delete).then().statusCode(404);

        // the queue: the stuck destination, its message, retry now
        open("/console/queue");
        WebElement destination = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("tr[data-destination='" + HOP + "']")));
        assertTrue(destination.getText().contains("451 4.3.0 mailbox busy, try later"), destination.getText());
        shot("queue-destinations");
        destination.findElement(By.linkText(HOP)).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("tr[data-id='" + stuck + "']")));
        shot("queue-messages");
        browser.findElement(By.id("flush")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "Retrying " + HOP + " now: 1 recipients due."));
        assertEquals("t", StoreFixtures.queryOne("SELECT next_attempt_at <= now() FROM delivery WHERE message_id = ?", stuck));

        // the client page
        open("/console/clients");
        browser.findElement(By.cssSelector("#lookup input[name=ip]")).sendKeys(SPAMMER);
        browser.findElement(By.id("lookup-button")).click();
        wait.until(ExpectedConditions.textToBe(By.id("relay-attempts"), "5000"));
        shot("client");

        // block the range: the impact preview first, then the block, then remove it
        open("/console/blocks");
        browser.findElement(By.cssSelector("#block-form input[name=cidr]")).sendKeys(RANGE);
        browser.findElement(By.cssSelector("#block-form input[name=reason]")).sendKeys("watch and pill spam");
        browser.findElement(By.cssSelector("#block-form input[name=expires]")).sendKeys("P1D");
        browser.findElement(By.id("preview-button")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("impact")));
        assertEquals(RANGE, browser.findElement(By.id("cidr")).getText());
        assertEquals("2", browser.findElement(By.id("delivered")).getText(), "the partner's message and the released one");
        assertEquals("0", browser.findElement(By.id("quarantined")).getText(), "one released, one deleted");
        assertTrue(browser.findElement(By.id("domains")).getText().contains("partner.example"));
        shot("block-preview");
        browser.findElement(By.id("block-button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "Blocked " + RANGE));
        WebElement entry = browser.findElement(By.cssSelector("#blocks tr[data-cidr='" + RANGE + "']"));
        assertTrue(entry.getText().contains("watch and pill spam") && entry.getText().contains("test-operator"), entry.getText());
        shot("blocks");
        entry.findElement(By.cssSelector("button.remove")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "Removed the block entry of " + RANGE));
        assertTrue(browser.findElements(By.cssSelector("#blocks tr[data-cidr='" + RANGE + "']")).isEmpty());

        // the charts
        open("/console/charts");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("svg rect.bar")));
        assertFalse(browser.findElements(By.cssSelector("svg rect.bar.delivered")).isEmpty(), "mail per hour has delivered bars");
        assertFalse(browser.findElements(By.cssSelector("svg a[href='/console/clients/" + SPAMMER + "'] rect.bar.relay")).isEmpty(),
                "the relay chart has a bar for " + SPAMMER);
        shot("charts");

        // log out; a viewer sees the same pages without any button that acts
        browser.findElement(By.id("logout")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("key"))).sendKeys(TestKeys.viewer());
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.textToBe(By.id("who"), "test-viewer (viewer)"));
        String remaining = quarantined(Instant.now(), "Still here", "Viewer test.");
        open("/console/quarantine/" + remaining);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("hits")));
        assertTrue(browser.findElements(By.id("release")).isEmpty() && browser.findElements(By.id("delete")).isEmpty());
        shot("viewer-message");
        open("/console/queue");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("tr[data-destination='" + HOP + "']")));
        assertTrue(browser.findElements(By.cssSelector("button.flush")).isEmpty());
        open("/console/blocks");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.tagName("h1")));
        assertTrue(browser.findElements(By.id("block-form")).isEmpty() && browser.findElements(By.cssSelector("button.remove")).isEmpty());
        shot("viewer-blocks");
    }

    private void open(String path) {
        browser.get(base.toString().replaceAll("/$", "") + path);
    }

    private static void shot(String name) throws IOException {
        shots++;
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(String.format("%02d-%s.png", shots, name)), png);
    }

    private static String quarantined(Instant at, String subject, String text) throws Exception {
        String id = MessageIds.next();
        StoreFixtures.insert(new StoreFixtures.Mail(id, at, SPAMMER, "love-" + at.getEpochSecond() + ".example",
                "offers@cheap.example", List.of("info@example.test"), "QUARANTINE", 12.5,
                StoreFixtures.hits("RELAY_ATTEMPTS", "7.5", "HELO_ROTATION", "5"),
                ("Subject: " + subject + "\r\nContent-Type: text/plain\r\n\r\n" + text + "\r\n").getBytes(StandardCharsets.US_ASCII)));
        return id;
    }

    /** What admin-api's smtp.sessions reader would have counted for the address in the current hour. */
    private static void relayAttempts(String ip, int attempts, Instant now) throws Exception {
        try (Connection c = StoreFixtures.connect(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO admin.client_hour (ip, hour, sessions, blocked_sessions, relay_attempts, auth_failures,
                                               refused_commands, messages_accepted, first_seen, last_seen)
                VALUES (?::inet, date_trunc('hour', ?::timestamptz, 'UTC'), 50, 0, ?, 0, ?, 2, ?, ?)
                ON CONFLICT (ip, hour) DO UPDATE SET relay_attempts = EXCLUDED.relay_attempts""")) {
            s.setString(1, ip);
            s.setTimestamp(2, Timestamp.from(now));
            s.setInt(3, attempts);
            s.setInt(4, attempts);
            s.setTimestamp(5, Timestamp.from(now.minus(1, ChronoUnit.MINUTES)));
            s.setTimestamp(6, Timestamp.from(now));
            s.executeUpdate();
        }
    }
}
