package org.mailgateway.localstack.process;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A Quarkus service running as a child process, ready when its {@code /q/health/ready} says UP. */
public final class ServiceProcess {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final ManagedProcess process;
    private final int httpPort;

    public ServiceProcess(ManagedProcess process, int httpPort) {
        this.process = process;
        this.httpPort = httpPort;
    }

    public ManagedProcess process() {
        return process;
    }

    public int httpPort() {
        return httpPort;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public void start() {
        process.start();
    }

    /** Waits until the service reports ready; fails early, with its log, if the process dies. */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isReady()) {
            if (!process.isAlive()) {
                throw new IllegalStateException(process.name() + " exited while starting; its log ends with:\n"
                        + process.logTail(40));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(process.name() + " was not ready within " + timeout
                        + "; its log ends with:\n" + process.logTail(40));
            }
            pause();
        }
    }

    public boolean isReady() {
        return probe("/q/health/ready") == 200;
    }

    public boolean isLive() {
        return probe("/q/health/live") == 200;
    }

    private int probe(String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(5)).build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
