package io.sextant.registry.consul;

import com.ecwid.consul.v1.Response;
import java.time.Duration;
import java.util.Random;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Consul blocking query, repeated on its own daemon thread for as long as the watch runs. Each
 * request sends the {@code X-Consul-Index} of the previous answer, so Consul holds it until what it
 * reads changes or {@code wait} elapses. Every answer is handed on, changed or not: the caller
 * compares it with what it already has.
 *
 * <p>Index rules from Consul's documentation: an index lower than the previous one (Consul was
 * restored or rebuilt) restarts from 0; an index of 0 or less is used as 1. Failures are retried
 * with {@link Backoff} and reported to {@link Connectivity}, which decides what to log.
 */
final class BlockingWatch<T> {
  private static final Logger log = LoggerFactory.getLogger(BlockingWatch.class);

  /** One request: the answer to a query sent with {@code index}. */
  @FunctionalInterface
  interface Query<T> {
    Response<T> fetch(long index);
  }

  private final String what;
  private final Query<T> query;
  private final Consumer<T> onAnswer;
  private final Connectivity connectivity;
  private final Thread thread;
  private volatile boolean stopped;

  /**
   * @param threadName the daemon thread's name
   * @param what what is watched, for logs and errors, e.g. {@code health of web in dc1}
   * @param onAnswer receives every answer, on the watch's thread
   */
  BlockingWatch(
      String threadName,
      String what,
      Query<T> query,
      Consumer<T> onAnswer,
      Connectivity connectivity) {
    this.what = what;
    this.query = query;
    this.onAnswer = onAnswer;
    this.connectivity = connectivity;
    this.thread = new Thread(this::run, threadName);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Ends the watch: an answer still in flight is dropped, and its failures are forgotten. */
  void stop() {
    synchronized (this) {
      stopped = true;
    }
    thread.interrupt();
    connectivity.forget(this);
  }

  boolean stopped() {
    return stopped;
  }

  String what() {
    return what;
  }

  /** The index to send next, given the previous one and the one Consul just answered with. */
  static long nextIndex(long previous, Long answered) {
    long index = answered == null ? 0 : answered;
    if (index < previous) {
      return 0;
    }
    return Math.max(index, 1);
  }

  private void run() {
    Backoff backoff = new Backoff(new Random());
    long index = 0;
    while (!stopped) {
      Response<T> answer;
      try {
        answer = query.fetch(index);
      } catch (RuntimeException e) {
        synchronized (this) {
          if (stopped) {
            return;
          }
          // Under the lock, so that stop() cannot forget this watch before it is recorded.
          connectivity.failed(this, what, Connectivity.describe(e));
        }
        Duration delay = backoff.next();
        log.debug("{}: retrying in {} ms", what, delay.toMillis());
        if (!sleep(delay)) {
          return;
        }
        continue;
      }
      if (stopped) {
        return;
      }
      backoff.reset();
      index = nextIndex(index, answer.getConsulIndex());
      try {
        onAnswer.accept(answer.getValue());
      } catch (RuntimeException e) {
        // One bad answer drops that update, not the watch.
        log.warn("{}: cannot use Consul's answer; keeping the previous state", what, e);
      }
      connectivity.succeeded(this);
    }
  }

  private boolean sleep(Duration delay) {
    try {
      Thread.sleep(delay.toMillis());
      return !stopped;
    } catch (InterruptedException e) {
      return false;
    }
  }
}
